#!/usr/bin/env python3
"""Open a gridstrain report in headless Chromium and check it through the DevTools
protocol: no console error, no uncaught exception, no network request beyond the file
itself, at least six inline SVG charts each with a text alternative; save screenshots of
the first screen, the full page and a phone-width first screen.

The first screen must stand alone: a title in words, the date and version line, an
executive summary of one to five sentences, and a glossary that defines threshold and
residual. A run's energy chart must mark the crossing its own lines show, and the report
must print on at most MAX_PAGES A4 pages (print-to-PDF, pages counted in the PDF). A
sweep's summary must name what drives each spread.

Usage: browser_check.py REPORT_HTML SCREENSHOT_DIR [run|sweep|batch] [MAX_PAGES]
Talks to Chromium through Debian's python3-websocket (websocket-client), installed with
apt by .ci/browser.sh like Chromium itself; run it with Debian's /usr/bin/python3.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websocket


class DevTools:
    """A blocking DevTools-protocol client over one WebSocket (Debian's
    python3-websocket, which answers pings and joins fragmented frames)."""

    def __init__(self, ws_url):
        # Chromium's DevTools endpoint answers on localhost only and sends no Origin check
        # for a client without one.
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.next_id = 0
        self.events = []

    def _frame(self):
        message = self.ws.recv()
        if not message:
            raise RuntimeError("DevTools closed the WebSocket")
        return json.loads(message)

    def send(self, method, params=None):
        self.next_id += 1
        self.ws.send(json.dumps({"id": self.next_id, "method": method, "params": params or {}}))
        while True:
            message = self._frame()
            if message.get("id") == self.next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for event in self.events:
                if event.get("method") == method:
                    return event
            self.events.append(self._frame())
        raise RuntimeError(f"no {method} within {timeout} s")


def main():
    report, shots = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    kind = sys.argv[3] if len(sys.argv) > 3 else "run"
    max_pages = int(sys.argv[4]) if len(sys.argv) > 4 else 15
    prefix = "report" if kind == "run" else kind
    os.makedirs(shots, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if not chromium:
        sys.exit("browser check: chromium not found")
    profile = tempfile.mkdtemp(prefix="gridstrain-chromium-")
    args = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update",
        "--disable-default-apps", "--disable-sync", "--no-first-run",
        "--disable-features=MediaRouter,OptimizationHints",
        "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank",
    ]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    failures = []
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        for _ in range(300):
            if os.path.exists(port_file) and open(port_file).read().strip():
                break
            time.sleep(0.1)
        else:
            sys.exit("browser check: Chromium did not start (no DevToolsActivePort)")
        port = int(open(port_file).read().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list"))
        page = next(t for t in targets if t.get("type") == "page")
        dt = DevTools(page["webSocketDebuggerUrl"])
        for domain in ("Runtime", "Log", "Network", "Page"):
            dt.send(f"{domain}.enable")
        dt.send("Emulation.setDeviceMetricsOverride",
                {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False})
        url = "file://" + report
        dt.send("Page.navigate", {"url": url})
        dt.wait_for("Page.loadEventFired")
        time.sleep(0.5)
        checks = dt.send("Runtime.evaluate", {"returnByValue": True, "expression": """(() => {
            const svgs = [...document.querySelectorAll('svg')];
            return {
              charts: svgs.length,
              labelled: svgs.filter(s => s.querySelector('title') && s.getAttribute('aria-label')).length,
              tables: document.querySelectorAll('figure table').length,
              h1: (document.querySelector('h1') || {}).textContent || '',
              width: document.documentElement.scrollWidth,
              meta: (document.querySelector('p.meta') || {}).textContent || '',
              brief: [...document.querySelectorAll('section.brief li')].map(li => li.textContent),
              glossary: [...document.querySelectorAll('dl.glossary dt')].map(dt => dt.textContent),
              energyRows: [...document.querySelectorAll('#ai_energy table tbody tr')]
                .map(tr => [...tr.querySelectorAll('td')].map(td => td.textContent)),
              energyCaption: (document.querySelector('#ai_energy figcaption') || {}).textContent || '',
              energyMarker: !!document.querySelector('#ai_energy svg') &&
                document.querySelector('#ai_energy svg').textContent.includes('inference overtakes training (energy)'),
            };
        })()"""})["result"]["value"]
        dt.send("Page.captureScreenshot", {"format": "png"})  # warm-up paint
        first = dt.send("Page.captureScreenshot", {"format": "png"})
        open(os.path.join(shots, f"{prefix}-first-screen.png"), "wb").write(base64.b64decode(first["data"]))
        metrics = dt.send("Page.getLayoutMetrics")
        height = int(metrics["cssContentSize"]["height"])
        dt.send("Emulation.setDeviceMetricsOverride",
                {"width": 1280, "height": min(height, 16000), "deviceScaleFactor": 1, "mobile": False})
        full = dt.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        open(os.path.join(shots, f"{prefix}-full-page.png"), "wb").write(base64.b64decode(full["data"]))
        dt.send("Emulation.setDeviceMetricsOverride",
                {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        time.sleep(0.3)
        phone = dt.send("Page.captureScreenshot", {"format": "png"})
        open(os.path.join(shots, f"{prefix}-phone.png"), "wb").write(base64.b64decode(phone["data"]))
        phone_width = dt.send("Runtime.evaluate", {"returnByValue": True,
                              "expression": "document.documentElement.scrollWidth"})["result"]["value"]
        # Print to A4 as a regulator would, and count the pages of the PDF.
        pdf = base64.b64decode(dt.send("Page.printToPDF", {
            "paperWidth": 8.27, "paperHeight": 11.69, "marginTop": 0.4, "marginBottom": 0.4,
            "marginLeft": 0.4, "marginRight": 0.4, "printBackground": True})["data"])
        open(os.path.join(shots, f"{prefix}.pdf"), "wb").write(pdf)
        pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
        for event in dt.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                failures.append(f"console error: {params.get('args')}")
            elif method == "Runtime.exceptionThrown":
                failures.append(f"exception: {params.get('exceptionDetails', {}).get('text')}")
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                failures.append(f"log error: {params['entry'].get('text')} {params['entry'].get('url', '')}")
            elif method == "Network.requestWillBeSent":
                requested = params.get("request", {}).get("url", "")
                if requested != url and not requested.startswith("data:"):
                    failures.append(f"network request: {requested}")
        if kind == "run" and checks["charts"] < 6:
            failures.append(f"only {checks['charts']} inline SVG charts")
        if checks["labelled"] != checks["charts"]:
            failures.append(f"{checks['charts'] - checks['labelled']} chart(s) without title and aria-label")
        if checks["tables"] < checks["charts"]:
            failures.append("a chart without its table equivalent")
        # The first screen stands alone.
        if not checks["h1"] or " × " in checks["h1"]:
            failures.append(f"title not in words: {checks['h1']!r}")
        if not checks["meta"].startswith("Run"):
            failures.append(f"no date and version line: {checks['meta']!r}")
        if not 1 <= len(checks["brief"]) <= 5:
            failures.append(f"executive summary of {len(checks['brief'])} sentences (1 to 5 expected)")
        if kind != "batch":
            for term in ("Threshold", "Residual above threshold"):
                if term not in checks["glossary"]:
                    failures.append(f"the glossary does not define {term}")
        if kind == "run":
            for sentence in checks["brief"]:
                if "range" not in sentence and "nothing" not in sentence:
                    failures.append(f"a summary sentence without its range: {sentence!r}")
            # The energy chart's marker is where its own lines cross.
            crossing = next((row[0] for row in checks["energyRows"]
                             if len(row) == 3 and float(row[2]) > 0 and float(row[2]) >= float(row[1])), None)
            if crossing is not None:
                if f"in energy in {crossing}" not in checks["energyCaption"] or not checks["energyMarker"]:
                    failures.append(f"the energy lines cross in {crossing} but the chart does not mark it there")
        if kind == "sweep" and not any("driven most by" in s for s in checks["brief"]):
            failures.append("the sweep's summary names no driver of the spread")
        if pages > max_pages:
            failures.append(f"prints on {pages} A4 pages (at most {max_pages})")
        if phone_width > 390 + 2:
            failures.append(f"the page scrolls sideways on a phone ({phone_width} px wide)")
        print(f"browser check: {checks['h1']!r}: {checks['charts']} charts, all labelled: "
              f"{checks['labelled'] == checks['charts']}, {checks['tables']} data tables, "
              f"page {height} px tall, {pages} A4 pages, summary of {len(checks['brief'])} sentences; "
              f"screenshots in {shots}")
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)
    if failures:
        print("browser check FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
