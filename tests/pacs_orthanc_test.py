#!/usr/bin/env python3
"""PACS round trip with a real PACS (issue 8): storescu -> oncotrace listen -> Orthanc.

Starts Orthanc (Debian package `orthanc`) on loopback with its own configuration (free HTTP and
DICOM ports, temporary storage and index, no plugins, no remote access, no authentication, the
listener registered as a modality), generates the smallest simulated patient with
`oncotrace phantom patient --size tiny`, starts `oncotrace listen` with a short quiet period and
--send-to Orthanc, pushes the FDG baseline study with DCMTK's storescu, waits for the listener to
process it (--max-studies 1), and checks through Orthanc's REST API that the SEG and the SR
(TID 1500) instances are there and
reference the pushed StudyInstanceUID, and that the study's state file says `done`. Then
restarts the listener on the same store (nothing is pending, so nothing is processed again) and
stops it with SIGTERM, which must end it cleanly (exit 0).

Every process it starts is stopped at the end, also on failure; everything lives in a temporary
folder. Skipped (exit 77) when Orthanc or storescu is missing, unless CI=true (then a failure).
Exit status: 0 pass, 1 fail, 77 skipped.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

LISTENER_AET = "ONCOTRACE"
ORTHANC_AET = "ORTHANC"


class Failure(Exception):
    pass


def skip_or_fail(message):
    if os.environ.get("CI") == "true":
        print("FAIL: " + message + " (CI=true makes this an error)", file=sys.stderr)
        sys.exit(1)
    print("*** SKIPPED: " + message + " ***")
    sys.exit(77)


def free_ports(count):
    sockets = []
    try:
        for _ in range(count):
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            sockets.append(sock)
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def wait_until(predicate, timeout, what, process=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        if process is not None and process.poll() is not None:
            raise Failure("%s: the process exited with %d first" % (what, process.returncode))
        time.sleep(0.1)
    raise Failure("timed out after %g s waiting for %s" % (timeout, what))


def port_open(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def http_get_json(http_port, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (http_port, path), timeout=5) as reply:
        return json.loads(reply.read().decode("utf-8"))


def orthanc_ready(http_port):
    try:
        http_get_json(http_port, "/system")
        return True
    except OSError:
        return False


START = time.monotonic()


def run(command, timeout=120):
    print("[%5.1f s] $ %s" % (time.monotonic() - START, " ".join(command)), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise Failure("exit %d from %s\nstdout:\n%s\nstderr:\n%s" % (
            result.returncode, " ".join(command), result.stdout[-3000:], result.stderr[-3000:]))
    return result


def study_uid_of(dicom_folder):
    """StudyInstanceUID of the first DICOM file below the folder (dcmdump, DCMTK)."""
    for root, _, files in sorted(os.walk(dicom_folder)):
        for name in sorted(files):
            result = run(["dcmdump", "-q", "+P", "0020,000d", os.path.join(root, name)])
            value = result.stdout.split("[", 1)[1].split("]", 1)[0]
            return value
    raise Failure("no DICOM file below " + dicom_folder)


def tail(path, lines=40):
    try:
        with open(path, errors="replace") as handle:
            return "".join(handle.readlines()[-lines:])
    except OSError:
        return "(no log)"


def stop(process, name):
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        print("%s did not stop on SIGTERM: killing it" % name, file=sys.stderr)
        process.kill()
        process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--oncotrace", required=True)
    args = parser.parse_args()

    orthanc = os.environ.get("ONCOTRACE_ORTHANC") or shutil.which("Orthanc") or (
        "/usr/sbin/Orthanc" if os.access("/usr/sbin/Orthanc", os.X_OK) else None)
    storescu = shutil.which("storescu")
    if orthanc is None:
        skip_or_fail("Orthanc not found (Debian package orthanc; or set ONCOTRACE_ORTHANC)")
    if storescu is None or shutil.which("dcmdump") is None:
        skip_or_fail("storescu/dcmdump not found (Debian package dcmtk)")

    work = tempfile.mkdtemp(prefix="oncotrace-pacs-e2e-")
    processes = {}
    logs = {}
    try:
        http_port, orthanc_dicom_port, listener_port = free_ports(3)
        config = {
            "Name": "oncotrace-e2e",
            "StorageDirectory": os.path.join(work, "orthanc", "storage"),
            "IndexDirectory": os.path.join(work, "orthanc", "index"),
            "Plugins": [],
            "HttpServerEnabled": True,
            "HttpPort": http_port,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "DicomServerEnabled": True,
            "DicomAet": ORTHANC_AET,
            "DicomPort": orthanc_dicom_port,
            "DicomCheckCalledAet": True,
            "DicomAlwaysAllowStore": False,
            "DicomCheckModalityHost": True,
            "DicomModalities": {"oncotrace": [LISTENER_AET, "127.0.0.1", listener_port]},
            "SaveJobs": False,
            "StableAge": 60,
        }
        config_path = os.path.join(work, "orthanc.json")
        with open(config_path, "w") as handle:
            json.dump(config, handle, indent=2)

        logs["orthanc"] = os.path.join(work, "orthanc.log")
        with open(logs["orthanc"], "w") as log:
            processes["orthanc"] = subprocess.Popen([orthanc, config_path], stdout=log,
                                                    stderr=subprocess.STDOUT, cwd=work)
        phantom = os.path.join(work, "phantom")
        run([args.oncotrace, "phantom", "patient", "--size", "tiny", "-o", phantom])
        study = os.path.join(phantom, "fdg_baseline")
        if not os.path.isdir(study):
            raise Failure("the simulated patient has no fdg_baseline study in " + phantom)
        expected_study_uid = study_uid_of(study)
        wait_until(lambda: orthanc_ready(http_port), 30, "Orthanc's REST API",
                   processes["orthanc"])
        print("[%5.1f s] Orthanc is up" % (time.monotonic() - START), flush=True)

        store = os.path.join(work, "store")
        listen = [args.oncotrace, "listen", "--aet", LISTENER_AET, "--port", str(listener_port),
                  "--store", store, "--send-to",
                  "%s@127.0.0.1:%d" % (ORTHANC_AET, orthanc_dicom_port), "--quiet-seconds", "1",
                  "--threads", "1"]
        logs["listen"] = os.path.join(work, "listen.log")
        with open(logs["listen"], "w") as log:
            processes["listen"] = subprocess.Popen(listen + ["--max-studies", "1"], stdout=log,
                                                   stderr=subprocess.STDOUT)
        print("[%5.1f s] $ %s" % (time.monotonic() - START, " ".join(listen + ["--max-studies", "1"])),
              flush=True)
        wait_until(lambda: port_open(listener_port), 15, "the listener's port",
                   processes["listen"])
        run([storescu, "-aet", "STORESCU", "-aec", LISTENER_AET, "+sd", "+r",
             "127.0.0.1", str(listener_port), study])
        pushed = time.monotonic()
        try:
            code = processes["listen"].wait(timeout=45)
        except subprocess.TimeoutExpired:
            raise Failure("the listener did not process the study within 45 s")
        print("[%5.1f s] the listener processed the study %.1f s after the push" % (
            time.monotonic() - START, time.monotonic() - pushed))
        if code != 0:
            raise Failure("oncotrace listen exited with %d" % code)

        with open(os.path.join(store, "state", expected_study_uid + ".json")) as handle:
            state = json.load(handle)
        if state["state"] != "done":
            raise Failure("state of the study is %s: %s" % (state["state"], state["message"]))

        instances = http_get_json(http_port, "/instances")
        by_modality = {"SEG": [], "SR": []}
        for instance in instances:
            tags = http_get_json(http_port, "/instances/%s/simplified-tags" % instance)
            if tags.get("Modality") in by_modality:
                by_modality[tags.get("Modality")].append(tags)
        segs = by_modality["SEG"]
        for modality, found in by_modality.items():
            if not found:
                raise Failure("Orthanc holds %d instance(s), none with Modality %s" % (
                    len(instances), modality))
            for tags in found:
                if tags.get("StudyInstanceUID") != expected_study_uid:
                    raise Failure("%s %s references study %s, expected %s" % (
                        modality, tags.get("SOPInstanceUID"), tags.get("StudyInstanceUID"),
                        expected_study_uid))
        # The SR (TID 1500) is the one oncotrace wrote: Enhanced SR of the measurement report.
        for tags in by_modality["SR"]:
            if tags.get("SOPClassUID") != "1.2.840.10008.5.1.4.1.1.88.22":
                raise Failure("SR %s has SOP class %s, expected Enhanced SR" % (
                    tags.get("SOPInstanceUID"), tags.get("SOPClassUID")))
        sent = sorted(os.path.relpath(os.path.join(root, name), store)
                      for root, _, files in os.walk(os.path.join(store, "results"))
                      for name in files if name.endswith(".dcm"))
        if len(instances) != len(sent):
            raise Failure("Orthanc holds %d instances, the listener wrote %d DICOM outputs: %s" % (
                len(instances), len(sent), sent))
        print("Orthanc holds %d instance(s) from the listener (%d SEG, %d SR) for study %s" % (
            len(instances), len(segs), len(by_modality["SR"]), expected_study_uid))

        # `oncotrace send`: per-file status, exit 4 when one file is not accepted.
        not_dicom = os.path.join(work, "not-dicom.txt")
        with open(not_dicom, "w") as handle:
            handle.write("not DICOM")
        command = [args.oncotrace, "send", os.path.join(store, "results"), not_dicom, "--to",
                   "%s@127.0.0.1:%d" % (ORTHANC_AET, orthanc_dicom_port)]
        print("[%5.1f s] $ %s" % (time.monotonic() - START, " ".join(command)), flush=True)
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        lines = result.stdout.splitlines()
        if (result.returncode != 4 or not any(l.startswith("ok") and l.endswith("(success)")
                                              and ".dcm" in l for l in lines)
                or not any(l.startswith("FAILED") and "not-dicom.txt" in l for l in lines)):
            raise Failure("oncotrace send: exit %d (expected 4)\n%s\n%s" % (
                result.returncode, result.stdout, result.stderr))

        # Restart on the same store (nothing pending) and stop with SIGTERM.
        with open(logs["listen"], "a") as log:
            processes["listen"] = subprocess.Popen(listen, stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: port_open(listener_port), 15, "the restarted listener's port",
                   processes["listen"])
        # The listener's own outputs routed back to it (auto-routing PACS): stored, but they must
        # not reopen the study. Then wait well past the 1 s quiet period, so that a study wrongly
        # made pending (by the restart or by the results) would have been processed again.
        command = [args.oncotrace, "send"] + [os.path.join(store, name) for name in sent] + [
            "--to", "%s@127.0.0.1:%d" % (LISTENER_AET, listener_port)]
        result = subprocess.run(command, capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise Failure("sending the results back to the listener: exit %d\n%s\n%s" % (
                result.returncode, result.stdout, result.stderr))
        time.sleep(3.0)
        processes["listen"].send_signal(signal.SIGTERM)
        try:
            code = processes["listen"].wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise Failure("the listener did not stop within 10 s of SIGTERM")
        if code != 0:
            raise Failure("oncotrace listen exited with %d after SIGTERM" % code)
        with open(os.path.join(store, "state", expected_study_uid + ".json")) as handle:
            if json.load(handle)["attempts"] != 1:
                raise Failure("the restarted listener processed the done study again (after a "
                              "restart and its own results sent back to it)")
        print("[%5.1f s] PASS" % (time.monotonic() - START))
        return 0
    except (Failure, subprocess.TimeoutExpired, OSError, KeyError, ValueError) as error:
        print("FAIL: %s" % error, file=sys.stderr)
        for name, path in logs.items():
            print("--- %s log (last lines) ---\n%s" % (name, tail(path)), file=sys.stderr)
        return 1
    finally:
        for name, process in processes.items():
            stop(process, name)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
