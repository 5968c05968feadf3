#!/usr/bin/env python3
"""The HTML report in a real browser (issue 8): simulated patient -> analyze -> report.html.

Generates the simulated patient, runs `oncotrace analyze` on its FDG baseline study (which writes
report.html), then with headless Chromium:
  * renders the report to PNG (--screenshot) and checks the page is not blank (pixel variance,
    share of non-white pixels);
  * reads the DOM after loading (--dump-dom) and checks the lesion table has one row per lesion
    of lesions.json;
  * checks that no resource failed to load: every src/href of the page is a data: URI that
    decodes to a PNG, and in a probe copy of the page (the report itself has no script) the
    browser reports every image complete with a non-zero natural width after loading;
and prints the anonymised report to PDF with `oncotrace report --pdf`.

Skipped (exit 77) with a clear message when Chromium is missing, unless CI=true (then a failure).
Exit status: 0 pass, 1 fail, 77 skipped.
"""
import argparse
import base64
import html.parser
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib

PROBE_SCRIPT = (
    "<script>window.addEventListener('load', () => {"
    " const images = [...document.images];"
    " document.body.setAttribute('data-images', images.length);"
    " document.body.setAttribute('data-broken-images',"
    " images.filter(i => !i.complete || i.naturalWidth === 0).length); });</script>")

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--no-first-run", "--no-default-browser-check"]


def find_chromium():
    configured = os.environ.get("ONCOTRACE_CHROMIUM")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def fail(message):
    print("FAIL: " + message, file=sys.stderr)
    sys.exit(1)


def run(command, **kwargs):
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, **kwargs)
    if result.returncode != 0:
        fail("exit %d from %s\nstdout:\n%s\nstderr:\n%s" % (
            result.returncode, " ".join(command), result.stdout[-4000:], result.stderr[-4000:]))
    return result


def decode_png(data):
    """(width, height, channels, rows of bytes) of an 8-bit non-interlaced grey/RGB/RGBA PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not a PNG")
    position, idat, header = 8, b"", None
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        chunk = data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = header
    channels = {0: 1, 2: 3, 4: 2, 6: 4}.get(colour)
    if depth != 8 or channels is None or interlace != 0:
        raise ValueError("unsupported PNG: depth %d colour %d interlace %d" % (depth, colour, interlace))
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for row in range(height):
        start = row * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            upper_left = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - upper_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - upper_left)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else upper_left)
                line[x] = (line[x] + predictor) & 255
        rows.append(line)
        previous = line
    return width, height, channels, rows


class PageParser(html.parser.HTMLParser):
    """Lesion-table rows and every resource reference of a page."""

    def __init__(self):
        super().__init__()
        self.lesion_rows = 0
        self.references = []
        self.in_lesion_table = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "table" and attributes.get("id") == "lesion-table":
            self.in_lesion_table = True
        if tag == "tr" and self.in_lesion_table and "lesion" in (attributes.get("class") or ""):
            self.lesion_rows += 1
        for name in ("src", "href", "srcset", "data", "poster"):
            if attributes.get(name) is not None:
                self.references.append((tag, name, attributes[name]))
        if tag in ("script", "iframe", "object", "embed"):
            self.references.append((tag, "element", tag))

    def handle_endtag(self, tag):
        if tag == "table":
            self.in_lesion_table = False


def check_page(label, text, expected_rows):
    parser = PageParser()
    parser.feed(text)
    if parser.lesion_rows != expected_rows:
        fail("%s: %d lesion rows, lesions.json has %d lesions" % (label, parser.lesion_rows, expected_rows))
    images = 0
    for tag, name, value in parser.references:
        if tag in ("script", "iframe", "object", "embed"):
            fail("%s: the report must not contain <%s>" % (label, tag))
        if not value.startswith("data:image/png;base64,"):
            fail("%s: <%s %s=%r> is not an embedded data: URI" % (label, tag, name, value[:80]))
        png = base64.b64decode(value.split(",", 1)[1], validate=True)
        width, height, _, _ = decode_png(png)
        if width < 100 or height < 100:
            fail("%s: embedded figure of %dx%d pixels" % (label, width, height))
        images += 1
    if "<link" in text and "stylesheet" in text.split("<link", 1)[1][:200]:
        fail("%s: external stylesheet" % label)
    return images


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--oncotrace", required=True)
    parser.add_argument("--keep", help="keep the work folder here instead of a temporary one")
    args = parser.parse_args()

    chromium = find_chromium()
    if chromium is None:
        message = ("headless Chromium not found (Debian package chromium, installed by "
                   "scripts/setup-deps; or set ONCOTRACE_CHROMIUM)")
        if os.environ.get("CI") == "true":
            fail(message + "; CI=true makes this a failure")
        print("*** SKIPPED: " + message + " ***")
        return 77

    work = args.keep or tempfile.mkdtemp(prefix="oncotrace-report-test-")
    os.makedirs(work, exist_ok=True)
    try:
        phantom = os.path.join(work, "phantom")
        results = os.path.join(work, "results")
        run([args.oncotrace, "phantom", "patient", "-o", phantom, "--threads", "1"])
        study = os.path.join(phantom, "fdg_baseline")
        if not os.path.isdir(study):
            fail("the simulated patient has no fdg_baseline study in " + phantom)
        analyze = run([args.oncotrace, "analyze", study, "-o", results, "--db", "none"])
        report = os.path.join(results, "report.html")
        if not os.path.isfile(report):
            fail("analyze wrote no report.html:\n" + analyze.stdout)
        with open(os.path.join(results, "lesions.json")) as stream:
            lesion_count = len(json.load(stream)["lesions"])
        if lesion_count == 0:
            fail("the simulated patient's FDG study gave no lesion")
        with open(report, encoding="utf-8") as stream:
            text = stream.read()
        images = check_page("report.html", text, lesion_count)
        if images < 2:
            fail("report.html has %d figures; expected PET MIPs and PET/CT fusion" % images)
        if "Research use only" not in text:
            fail("report.html has no research-use disclaimer")

        url = "file://" + os.path.abspath(report)
        profile = os.path.join(work, "profile")
        dom = run([chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile,
                                                 "--enable-logging=stderr", "--v=0",
                                                 "--dump-dom", url])
        check_page("DOM after loading", dom.stdout, lesion_count)
        if "Failed to load resource" in dom.stderr or "net::ERR_" in dom.stderr:
            fail("the browser failed to load a resource:\n" + dom.stderr[-3000:])

        # A copy with a probe script (the report has none): the browser's own account of
        # which images loaded.
        probe = os.path.join(results, "probe.html")
        with open(probe, "w", encoding="utf-8") as stream:
            stream.write(text.replace("</body>", PROBE_SCRIPT + "</body>"))
        probed = run([chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile,
                                                    "--virtual-time-budget=10000", "--dump-dom",
                                                    "file://" + os.path.abspath(probe)])
        found = re.search(r'<body[^>]*data-images="(\d+)"[^>]*data-broken-images="(\d+)"', probed.stdout)
        if not found:
            fail("the probe script did not run in the browser")
        if int(found.group(1)) != images or int(found.group(2)) != 0:
            fail("the browser loaded %s images, %s broken; the page has %d" % (
                found.group(1), found.group(2), images))
        os.remove(probe)

        screenshot = os.path.join(work, "report.png")
        run([chromium] + CHROMIUM_FLAGS + ["--user-data-dir=" + profile, "--hide-scrollbars",
                                           "--window-size=1280,2000",
                                           "--screenshot=" + screenshot, url])
        with open(screenshot, "rb") as stream:
            width, height, channels, rows = decode_png(stream.read())
        values, non_white = [], 0
        for row in rows[::4]:
            for x in range(0, width * channels, channels * 4):
                grey = sum(row[x:x + min(3, channels)]) / min(3, channels)
                values.append(grey)
                non_white += grey < 240
        mean = sum(values) / len(values)
        variance = sum((v - mean) ** 2 for v in values) / len(values)
        share = non_white / len(values)
        print("screenshot %dx%d: grey mean %.1f, variance %.1f, non-white share %.3f" % (
            width, height, mean, variance, share))
        if variance < 100.0 or share < 0.02:
            fail("the rendered page looks blank (variance %.1f, non-white share %.3f)" % (variance, share))

        anonymised = os.path.join(work, "anonymised.html")
        pdf = os.path.join(work, "report.pdf")
        run([args.oncotrace, "report", results, "-o", anonymised, "--anonymise",
             "--colormap", "hot-iron", "--suv-window", "8", "--pdf", pdf])
        with open(anonymised, encoding="utf-8") as stream:
            anonymised_text = stream.read()
        check_page("anonymised report", anonymised_text, lesion_count)
        if "hidden (--anonymise)" not in anonymised_text or study in anonymised_text:
            fail("the anonymised report shows identifiers or the input path")
        with open(pdf, "rb") as stream:
            if stream.read(5) != b"%PDF-":
                fail(pdf + " is not a PDF")
        print("report browser test: %d lesion rows, %d figures loaded, PDF %d bytes" % (
            lesion_count, images, os.path.getsize(pdf)))
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
