#!/usr/bin/env python3
"""Runs one CLI case file (tests/cases/*.case) against the oncotrace binary.

A case file is plain text, one directive per line ('#' starts a comment):

  description: what the case checks (one line, required)
  requires-data: suv-dro/DRO/DRO_0_0      data set below ONCOTRACE_TEST_DATA; skipped when
                                          missing, a failure when CI=true
  shell: cp -r DATA/x WORK/y              setup command run with sh before the oncotrace run
  run: suv WORK/pt -o WORK/out.nii.gz     the oncotrace arguments (split on spaces)
  exit: 2                                 expected exit code
  stdout-contains: text                   (repeatable)
  stderr-contains: text                   (repeatable)
  exists: WORK/out.nii.gz                 file that must exist afterwards (repeatable)
  absent: WORK/out.nii.gz                 file that must not exist afterwards (repeatable)
  only-files: WORK/outdir                 folder that must hold no temporary leftovers
  same-file: WORK/a.json WORK/b.json      two files that must be byte-identical
  json: WORK/out.json path.to.key = value compare a JSON value (numbers within 1e-6 relative,
                                          or "~ value tolerance")

DATA is replaced by the data root, WORK by a fresh temporary folder. Several `run:` lines run in
order; `exit:`, `stdout-contains:`, `stderr-contains:` apply to the run before them.
Exit status: 0 pass, 1 fail, 77 skipped.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile


def data_root():
    for name in ("ONCOTRACE_TEST_DATA", "ONCOTRACE_DEFAULT_TEST_DATA"):
        value = os.environ.get(name)
        if value:
            return value
    return os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")


def substitute(text, work, data):
    return text.replace("WORK", work).replace("DATA", data)


def json_lookup(document, dotted):
    value = document
    for part in dotted.split("."):
        if isinstance(value, list):
            value = value[int(part)]
        else:
            value = value[part]
    return value


def check_json(spec, work, data, failures):
    path, rest = spec.split(" ", 1)
    key, expected_text = [part.strip() for part in rest.split("=", 1)]
    with open(substitute(path, work, data)) as handle:
        document = json.load(handle)
    try:
        actual = json_lookup(document, key)
    except (KeyError, IndexError, ValueError):
        failures.append(f"json {path}: key {key} missing")
        return
    if expected_text.startswith("~"):
        value_text, tolerance_text = expected_text[1:].split()
        if abs(float(actual) - float(value_text)) > float(tolerance_text):
            failures.append(f"json {key}: {actual} not within {tolerance_text} of {value_text}")
        return
    expected = json.loads(expected_text)
    if isinstance(expected, float) and isinstance(actual, (int, float)):
        if abs(actual - expected) > 1e-6 * max(1.0, abs(expected)):
            failures.append(f"json {key}: {actual} != {expected}")
    elif actual != expected:
        failures.append(f"json {key}: {actual!r} != {expected!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--oncotrace", required=True)
    parser.add_argument("case")
    arguments = parser.parse_args()
    data = os.path.abspath(data_root())
    with open(arguments.case) as handle:
        lines = [line.rstrip("\n") for line in handle]
    directives = []
    for line in lines:
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        key, _, value = stripped.partition(":")
        directives.append((key.strip(), value.strip()))
    if not any(key == "description" for key, _ in directives):
        print("case file has no description", file=sys.stderr)
        return 1
    for key, value in directives:
        if key == "requires-data" and not os.path.exists(os.path.join(data, value)):
            if os.environ.get("CI") == "true":
                print(f"FAIL: test data {value} missing below {data} (CI=true)")
                return 1
            print(f"*** SKIPPED: test data {value} missing below {data} ***")
            return 77
    work = tempfile.mkdtemp(prefix="oncotrace-cli-")
    failures = []
    last = None
    try:
        for key, value in directives:
            value = substitute(value, work, data) if key != "json" else value
            if key == "shell":
                subprocess.run(value, shell=True, check=True, cwd=work)
            elif key == "run":
                command = [arguments.oncotrace] + value.split()
                last = subprocess.run(command, capture_output=True, text=True, cwd=work)
                print("$", " ".join(command))
                print(last.stdout, end="")
                print(last.stderr, end="", file=sys.stderr)
            elif key == "exit":
                if last.returncode != int(value):
                    failures.append(f"exit code {last.returncode}, expected {value}")
            elif key == "stdout-contains":
                if value not in last.stdout:
                    failures.append(f"stdout lacks {value!r}")
            elif key == "stderr-contains":
                if value not in last.stderr:
                    failures.append(f"stderr lacks {value!r}")
            elif key == "exists":
                if not os.path.exists(value):
                    failures.append(f"{value} does not exist")
            elif key == "absent":
                if os.path.exists(value):
                    failures.append(f"{value} exists but must not")
            elif key == "only-files":
                if os.path.isdir(value):
                    leftovers = [n for n in os.listdir(value) if n.startswith(".oncotrace-tmp")]
                    if leftovers:
                        failures.append(f"temporary files left in {value}: {leftovers}")
            elif key == "same-file":
                first, second = value.split()
                with open(first, "rb") as a, open(second, "rb") as b:
                    if a.read() != b.read():
                        failures.append(f"{first} and {second} differ")
            elif key == "json":
                check_json(value, work, data, failures)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
