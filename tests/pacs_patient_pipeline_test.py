#!/usr/bin/env python3
"""`oncotrace listen --pipeline patient` end to end (issue 8, docs/pacs.md).

Generates the smallest simulated patient (`oncotrace phantom patient --size tiny`: PET/CT
studies with their own frames of reference), starts `oncotrace listen --pipeline patient` with
a short quiet period, pushes the FDG baseline study with DCMTK's storescu, waits until the
listener has processed it, then pushes the FES baseline study of the same patient. The second
study must be analysed together with the first (done) one: STORE/results/<FES study>/patient.json
lists both studies by StudyInstanceUID with the FDG study as the reference,
the FES study registered CT to CT, an ER heterogeneity summary, and the FES study's own SEG and
SR under studies/<FES study>/. Both state files end `done` after one attempt each.

Every process it starts is stopped at the end, also on failure; everything lives in a temporary
folder. Skipped (exit 77) when storescu is missing, unless CI=true (then a failure).
Exit status: 0 pass, 1 fail, 77 skipped.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pacs_orthanc_test import (Failure, LISTENER_AET, START, free_ports, port_open, run,  # noqa: E402
                               skip_or_fail, stop, study_uid_of, tail, wait_until)


def state_of(store, study_uid):
    try:
        with open(os.path.join(store, "state", study_uid + ".json")) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--oncotrace", required=True)
    args = parser.parse_args()
    storescu = shutil.which("storescu")
    if storescu is None or shutil.which("dcmdump") is None:
        skip_or_fail("storescu/dcmdump not found (Debian package dcmtk)")

    work = tempfile.mkdtemp(prefix="oncotrace-pacs-patient-")
    process = None
    log_path = os.path.join(work, "listen.log")
    try:
        (listener_port,) = free_ports(1)
        phantom = os.path.join(work, "phantom")
        run([args.oncotrace, "phantom", "patient", "--size", "tiny", "-o", phantom])
        fdg = os.path.join(phantom, "fdg_baseline")
        fes = os.path.join(phantom, "fes_baseline")
        fdg_uid = study_uid_of(fdg)
        fes_uid = study_uid_of(fes)

        store = os.path.join(work, "store")
        listen = [args.oncotrace, "listen", "--aet", LISTENER_AET, "--port", str(listener_port),
                  "--store", store, "--pipeline", "patient", "--quiet-seconds", "1",
                  "--threads", "1", "--max-studies", "2"]
        print("[%5.1f s] $ %s" % (time.monotonic() - START, " ".join(listen)), flush=True)
        with open(log_path, "w") as log:
            process = subprocess.Popen(listen, stdout=log, stderr=subprocess.STDOUT)
        wait_until(lambda: port_open(listener_port), 15, "the listener's port", process)

        run([storescu, "-aet", "STORESCU", "-aec", LISTENER_AET, "+sd", "+r", "127.0.0.1",
             str(listener_port), fdg])
        wait_until(lambda: (state_of(store, fdg_uid) or {}).get("state") in ("done", "failed"),
                   60, "the FDG study to be processed", process)
        if state_of(store, fdg_uid)["state"] != "done":
            raise Failure("FDG study: %s" % state_of(store, fdg_uid))
        run([storescu, "-aet", "STORESCU", "-aec", LISTENER_AET, "+sd", "+r", "127.0.0.1",
             str(listener_port), fes])
        try:
            code = process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            raise Failure("the listener did not process the FES study within 90 s")
        if code != 0:
            raise Failure("oncotrace listen exited with %d" % code)
        for uid in (fdg_uid, fes_uid):
            state = state_of(store, uid)
            if state is None or state["state"] != "done" or state["attempts"] != 1:
                raise Failure("study %s: state %s" % (uid, state))

        results = os.path.join(store, "results", fes_uid)
        with open(os.path.join(results, "patient.json")) as handle:
            patient = json.load(handle)
        ids = [study["id"] for study in patient["studies"]]
        if sorted(ids) != sorted([fdg_uid, fes_uid]):
            raise Failure("patient.json studies %s, expected FDG %s and FES %s" % (
                ids, fdg_uid, fes_uid))
        if patient["reference_study"] != fdg_uid:
            raise Failure("reference study %s, expected the FDG study" % patient["reference_study"])
        tracers = {study["id"]: study["tracer"] for study in patient["studies"]}
        if tracers != {fdg_uid: "fdg", fes_uid: "fes"}:
            raise Failure("tracers %s, expected fdg and fes" % tracers)
        registration = [study for study in patient["studies"] if study["id"] == fes_uid][0][
            "registration"]
        if not registration["method"].startswith("CT to CT") or \
                not registration["quality_after"] >= 0.5:
            raise Failure("FES registration: %s" % registration)
        targets = [summary["target"] for summary in patient["heterogeneity"]]
        if targets != ["ER"] or not patient["lesions"]:
            raise Failure("heterogeneity %s, %d lesions" % (targets, len(patient["lesions"])))
        own = os.path.join(results, "studies", fes_uid)
        for name in ("lesions.seg.dcm", "lesions.sr.dcm", "lesions.json"):
            if not os.path.isfile(os.path.join(own, name)):
                raise Failure("missing %s in %s" % (name, own))
        print("patient.json: %d studies, %d lesions, FES registration correlation %.3f" % (
            len(ids), len(patient["lesions"]), registration["quality_after"]))
        print("[%5.1f s] PASS" % (time.monotonic() - START))
        return 0
    except (Failure, subprocess.TimeoutExpired, OSError, KeyError, ValueError) as error:
        print("FAIL: %s" % error, file=sys.stderr)
        print("--- listen log (last lines) ---\n%s" % tail(log_path), file=sys.stderr)
        return 1
    finally:
        stop(process, "listen")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
