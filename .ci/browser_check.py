#!/usr/bin/env python3
"""Open a gridstrain report in headless Chromium and check it through the DevTools
protocol: no console error, no uncaught exception, no network request beyond the file
itself, at least six inline SVG charts each with a text alternative; save screenshots of
the first screen, the full page and a phone-width first screen.

Usage: browser_check.py REPORT_HTML SCREENSHOT_DIR
Uses only the standard library (a minimal WebSocket client), so nothing is downloaded.
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request


class DevTools:
    """A blocking DevTools-protocol client over one WebSocket."""

    def __init__(self, ws_url):
        assert ws_url.startswith("ws://")
        rest = ws_url[len("ws://"):]
        hostport, path = rest.split("/", 1)
        host, port = hostport.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET /{path} HTTP/1.1\r\nHost: {hostport}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        response = b""
        while b"\r\n\r\n" not in response:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise RuntimeError("DevTools closed the connection during the handshake")
            response += chunk
        head, self.buffer = response.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError(f"WebSocket handshake refused: {head[:200]!r}")
        self.next_id = 0
        self.events = []

    def _read(self, n):
        while len(self.buffer) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise RuntimeError("DevTools closed the connection")
            self.buffer += chunk
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def _frame(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack(">H", self._read(2))[0]
            elif length == 127:
                length = struct.unpack(">Q", self._read(8))[0]
            payload = self._read(length)
            opcode = b0 & 0x0F
            if opcode == 8:
                raise RuntimeError("DevTools closed the WebSocket")
            if opcode in (0, 1, 2):
                message += payload
                if b0 & 0x80:
                    return json.loads(message)

    def send(self, method, params=None):
        self.next_id += 1
        body = json.dumps({"id": self.next_id, "method": method, "params": params or {}}).encode()
        mask = os.urandom(4)
        header = bytearray([0x81])
        if len(body) < 126:
            header.append(0x80 | len(body))
        elif len(body) < 1 << 16:
            header.append(0x80 | 126)
            header += struct.pack(">H", len(body))
        else:
            header.append(0x80 | 127)
            header += struct.pack(">Q", len(body))
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(body))
        self.sock.sendall(bytes(header) + mask + masked)
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
            };
        })()"""})["result"]["value"]
        dt.send("Page.captureScreenshot", {"format": "png"})  # warm-up paint
        first = dt.send("Page.captureScreenshot", {"format": "png"})
        open(os.path.join(shots, "report-first-screen.png"), "wb").write(base64.b64decode(first["data"]))
        metrics = dt.send("Page.getLayoutMetrics")
        height = int(metrics["cssContentSize"]["height"])
        dt.send("Emulation.setDeviceMetricsOverride",
                {"width": 1280, "height": min(height, 16000), "deviceScaleFactor": 1, "mobile": False})
        full = dt.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
        open(os.path.join(shots, "report-full-page.png"), "wb").write(base64.b64decode(full["data"]))
        dt.send("Emulation.setDeviceMetricsOverride",
                {"width": 390, "height": 844, "deviceScaleFactor": 2, "mobile": True})
        time.sleep(0.3)
        phone = dt.send("Page.captureScreenshot", {"format": "png"})
        open(os.path.join(shots, "report-phone.png"), "wb").write(base64.b64decode(phone["data"]))
        phone_width = dt.send("Runtime.evaluate", {"returnByValue": True,
                              "expression": "document.documentElement.scrollWidth"})["result"]["value"]
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
        if checks["charts"] < 6:
            failures.append(f"only {checks['charts']} inline SVG charts")
        if checks["labelled"] != checks["charts"]:
            failures.append(f"{checks['charts'] - checks['labelled']} chart(s) without title and aria-label")
        if checks["tables"] < checks["charts"]:
            failures.append("a chart without its table equivalent")
        if phone_width > 390 + 2:
            failures.append(f"the page scrolls sideways on a phone ({phone_width} px wide)")
        print(f"browser check: {checks['h1']!r}: {checks['charts']} charts, all labelled: "
              f"{checks['labelled'] == checks['charts']}, {checks['tables']} data tables, "
              f"page {height} px tall; screenshots in {shots}")
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
