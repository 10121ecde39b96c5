#!/usr/bin/env python3
"""The status page of `ingest-worker serve`, driven in headless Chromium as a person would.

    python3 Tests/Fixtures/service/test_status_page.py --worker .build/debug/ingest-worker \
        --screenshot /tmp/status-page.png [--keep] [--timeout 30]

Needs Debian's `chromium` and `chromium-driver` (/usr/bin/chromium, /usr/bin/chromedriver)
and `selenium` (pinned in Tests/Fixtures/requirements.txt). Nothing leaves the machine: the
service listens on 127.0.0.1 and reads only local folders.

Two tasks in a fresh temporary folder:
  orders       the example Iceberg table examples/lake/shop/orders (80 rows)  -> COMPLETED
  broken-lake  an `s3-data-lake` over a file:// folder holding one file of garbage bytes
               named part-00000-corrupt.parquet                              -> FAILED
Both have a schedule that does not fire during the test (1 January, 00:00), so the only runs
are the one each task makes at start.

Checks: the table lists both tasks; broken-lake shows a FAILED badge, its error's category and
message, and the corrupt file's name; orders shows COMPLETED and 80 rows; the Pause button makes
orders' badge PAUSED and GET /tasks/orders answers enabled false; Resume brings back COMPLETED
and enabled true; the page logs no JavaScript error. Then a 1400x900 screenshot is saved (and,
beside it, OUT-paused.png of the paused state), the service gets SIGTERM and must exit 0.
Known shortcomings of the page (a 64-bit snapshot id shown rounded, no favicon) print as WARN
and do not fail the run.

Exits 0 when every check passed, 1 otherwise (2 when it cannot start: missing browser, worker
without `serve`); the last line is "N passed, N failed".
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
ORDERS_TABLE = os.path.join(REPO, "examples", "lake", "shop", "orders")
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
CORRUPT_FILE = "part-00000-corrupt.parquet"
NEVER_DURING_TEST = "0 0 1 1 *"


class CheckFailed(Exception):
    pass


class Report:
    def __init__(self):
        self.passed = []
        self.failed = []
        self.warnings = []

    def warn(self, what):
        """A known shortcoming of the page, printed and listed but not counted as a failure."""
        self.warnings.append(what)
        print(f"  WARN  {what}", flush=True)

    def ok(self, what):
        self.passed.append(what)
        print(f"  ok    {what}", flush=True)

    def fail(self, what, why):
        self.failed.append(what)
        print(f"  FAIL  {what}: {why}", flush=True)

    def check(self, what, condition, why=""):
        (self.ok(what) if condition else self.fail(what, why or "condition not met"))
        return condition


def wait_until(what, condition, timeout, interval=0.1):
    """Polls `condition` until it returns a truthy value (returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            value = condition()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 (polled conditions may fail while things start)
            last_error = error
        if time.monotonic() >= deadline:
            detail = f" (last error: {last_error!r})" if last_error else ""
            raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what}{detail}")
        time.sleep(interval)


def http(method, url, timeout=10):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def http_json(method, url):
    status, body = http(method, url)
    return status, json.loads(body) if body else None


def write_tasks(root):
    tasks = os.path.join(root, "tasks")
    lake = os.path.join(root, "broken-lake")
    os.makedirs(tasks)
    os.makedirs(lake)
    # Not Parquet at all: no PAR1 magic, so reading the footer fails and names the file.
    with open(os.path.join(lake, CORRUPT_FILE), "wb") as f:
        f.write(b"this is not a parquet file\n" * 200)
    orders = {
        "taskName": "orders", "table": "orders", "schedule": NEVER_DURING_TEST,
        "source": {"type": "iceberg-table", "location": "file://" + ORDERS_TABLE},
        "segments": {"maxRowsPerSegment": 30},
        "push": {"outputDir": os.path.join(root, "out-orders")}, "stateDir": os.path.join(root, "state-orders"),
    }
    broken = {
        "taskName": "broken-lake", "table": "events", "schedule": NEVER_DURING_TEST,
        "source": {"type": "s3-data-lake", "location": "file://" + lake + "/"},
        "push": {"outputDir": os.path.join(root, "out-broken")}, "stateDir": os.path.join(root, "state-broken"),
    }
    for name, config in (("orders.json", orders), ("broken.json", broken)):
        with open(os.path.join(tasks, name), "w") as f:
            json.dump(config, f, indent=2)
    return tasks


def has_serve(worker):
    try:
        out = subprocess.run([worker, "--help"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SystemExit(f"error: cannot run {worker}: {error}")
    return re.search(r"^\s+serve\s", out, re.M) is not None


class Server:
    def __init__(self, worker, tasks, log_path):
        self.log_path = log_path
        self.log = open(log_path, "wb")
        # Port 0: the service picks a free port and prints it; no race with another process.
        self.process = subprocess.Popen([worker, "serve", "--tasks", tasks, "--http", "127.0.0.1:0"],
                                        stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.url = None

    def log_text(self):
        self.log.flush()
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def wait_for_url(self, timeout):
        def found():
            if self.process.poll() is not None:
                raise CheckFailed(f"serve exited with {self.process.returncode} before listening")
            match = re.search(r"serving \d+ task\(s\) on (http://127\.0\.0\.1:\d+)", self.log_text())
            return match and match.group(1)
        try:
            self.url = wait_until("serve to print its address", found, timeout)
        except CheckFailed as error:
            # An exit before listening is final: say so at once instead of as a timeout.
            raise CheckFailed(str(error))
        return self.url

    def stop(self, timeout):
        """SIGTERM, then the exit code (None when it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                return None
        return self.process.returncode

    def kill(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()


def wait_for_browser(timeout):
    deadline = time.monotonic() + timeout
    announced = False
    while not (os.access(CHROMIUM, os.X_OK) and os.access(CHROMEDRIVER, os.X_OK)):
        if time.monotonic() >= deadline:
            raise SystemExit(f"error: {CHROMIUM} and {CHROMEDRIVER} not there after {timeout:.0f} s; "
                             "apt-get install chromium chromium-driver")
        if not announced:
            print(f"waiting for {CHROMIUM} and {CHROMEDRIVER} (apt may be installing them)…", flush=True)
            announced = True
        time.sleep(2)


def start_browser(profile):
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1400,900", "--hide-scrollbars", "--lang=en-US",
                     f"--user-data-dir={profile}", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = webdriver.ChromeService(executable_path=CHROMEDRIVER)
    driver = webdriver.Chrome(options=options, service=service)
    # The window is 1400x900 and so is the page's viewport (and the screenshot): without the
    # override, headless Chromium keeps ~140 px of the window for its (invisible) toolbars.
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                           {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False})
    driver.set_page_load_timeout(30)
    return driver


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", default=os.path.join(REPO, ".build", "debug", "ingest-worker"),
                        help="the ingest-worker binary (needs the serve command)")
    parser.add_argument("--screenshot", required=True, help="where to save the PNG (1400x900)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds for each wait (default 30)")
    parser.add_argument("--browser-wait", type=float, default=900,
                        help="seconds to wait for chromium and chromedriver to be installed (default 900)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (tasks, state, log)")
    args = parser.parse_args()
    timeout = args.timeout
    worker = os.path.abspath(args.worker)
    screenshot = os.path.abspath(args.screenshot)

    if not os.access(worker, os.X_OK):
        print(f"error: {worker} is not an executable", file=sys.stderr)
        return 2
    if not has_serve(worker):
        print(f"error: {worker} has no `serve` command (an older build?)", file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.join(ORDERS_TABLE, "metadata")):
        print(f"error: the example table {ORDERS_TABLE} is missing", file=sys.stderr)
        return 2
    try:
        import selenium  # noqa: F401
    except ImportError:
        print("error: selenium is not installed: pip install -r Tests/Fixtures/requirements.txt", file=sys.stderr)
        return 2
    wait_for_browser(args.browser_wait)

    from selenium.common.exceptions import StaleElementReferenceException, UnexpectedAlertPresentException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    report = Report()
    root = tempfile.mkdtemp(prefix="status-page-")
    tasks = write_tasks(root)
    server = Server(worker, tasks, os.path.join(root, "serve.log"))
    driver = None
    exit_code = None
    print(f"worker: {worker}\nfolder: {root}", flush=True)
    try:
        # --- the service, through its API -------------------------------------------------------
        url = server.wait_for_url(timeout)
        print(f"service: {url}", flush=True)
        wait_until("GET /healthz to answer 200", lambda: http("GET", url + "/healthz", timeout=2)[0] == 200, timeout)
        report.ok("GET /healthz answers 200")

        def both_ended():
            status, tasks_now = http_json("GET", url + "/tasks")
            return status == 200 and len(tasks_now) == 2 and all(t.get("lastRunEndedAt") for t in tasks_now) and tasks_now
        api_tasks = {t["name"]: t for t in wait_until("both tasks' first runs to end (lastRunEndedAt)", both_ended, timeout)}
        report.ok("both first runs ended")
        report.check("API: orders COMPLETED, broken-lake FAILED",
                     api_tasks.get("orders", {}).get("state") == "COMPLETED" and api_tasks.get("broken-lake", {}).get("state") == "FAILED",
                     f"states {({n: t.get('state') for n, t in api_tasks.items()})}")
        broken_error = (http_json("GET", url + "/tasks/broken-lake")[1] or {}).get("error") or {}
        report.check("API: broken-lake's error names the corrupt file", CORRUPT_FILE in json.dumps(broken_error), f"error {broken_error}")

        # --- the page ---------------------------------------------------------------------------
        driver = start_browser(os.path.join(root, "chromium-profile"))
        wait = WebDriverWait(driver, timeout, poll_frequency=0.1, ignored_exceptions=(StaleElementReferenceException,))
        driver.get(url + "/")
        report.check("page title", driver.title == "LakeIngest tasks", f"title {driver.title!r}")

        def rows():
            return {r.get_attribute("data-task"): r for r in driver.find_elements(By.CSS_SELECTOR, "#tasks tr[data-task]")}

        def row(name):
            return driver.find_element(By.CSS_SELECTOR, f'#tasks tr[data-task="{name}"]')

        def badge(name):
            element = row(name).find_element(By.CSS_SELECTOR, "span.state")
            return element.text.strip(), (element.get_attribute("class") or "").split()

        def cell(name, header):
            """The text of `name`'s cell under the column headed `header`."""
            headers = [h.text.strip().lower() for h in driver.find_elements(By.CSS_SELECTOR, "table thead th")]
            index = headers.index(header.lower())
            return row(name).find_elements(By.XPATH, "./td")[index].text.strip()

        def move_pointer_away():
            # After a click the pointer rests on the button, which then shows its :hover colour.
            ActionChains(driver).move_to_element(driver.find_element(By.TAG_NAME, "h1")).perform()

        def wait_for(what, condition):
            try:
                return wait.until(lambda _: condition())
            except Exception as error:  # noqa: BLE001
                raise CheckFailed(f"timed out after {timeout:.0f} s waiting for {what} ({type(error).__name__})") from None

        wait_for("the table to list orders and broken-lake", lambda: set(rows()) == {"orders", "broken-lake"})
        report.ok("the table lists orders and broken-lake")
        updated = driver.find_element(By.ID, "updated").text
        report.check("the header line says 2 task(s)", updated.startswith("2 task(s)"), f"#updated is {updated!r}")
        report.check("no 'did not load' box (every configuration loaded)",
                     driver.find_element(By.ID, "failures").text.strip() == "", driver.find_element(By.ID, "failures").text)

        # broken-lake: FAILED badge, the error's category and message, the file's name.
        state, classes = badge("broken-lake")
        report.check("broken-lake shows a FAILED badge", state == "FAILED" and "FAILED" in classes, f"badge {state!r} classes {classes}")
        errors = row("broken-lake").find_elements(By.CSS_SELECTOR, ".error")
        error_text = errors[0].text if errors else ""
        expected = f"{broken_error.get('category')}: {broken_error.get('message')}"
        report.check("broken-lake's .error shows the category and message", error_text == expected,
                     f".error is {error_text!r}, expected {expected!r}")
        error_cell = cell("broken-lake", "Error")
        report.check("broken-lake's error cell names the corrupt file", CORRUPT_FILE in error_cell, f"cell text {error_cell!r}")

        # orders: COMPLETED and 80 rows.
        state, classes = badge("orders")
        report.check("orders shows a COMPLETED badge", state == "COMPLETED" and "COMPLETED" in classes, f"badge {state!r} classes {classes}")
        report.check("orders shows 80 rows", cell("orders", "Rows") == "80", f"Rows cell {cell('orders', 'Rows')!r}")
        report.check("orders shows 9 / 9 files and 4 segments",
                     cell("orders", "Files discovered / ingested") == "9 / 9" and cell("orders", "Segments") == "4",
                     f"files {cell('orders', 'Files discovered / ingested')!r}, segments {cell('orders', 'Segments')!r}")
        shown = cell("orders", "Last snapshot")
        if shown != str(api_tasks["orders"].get("lastIngestedSnapshotId")):
            # JSON.parse reads a 64-bit id as a double: 7373557138927692210 shows as ...692000.
            report.warn(f"orders' Last snapshot shows {shown}, the API says {api_tasks['orders'].get('lastIngestedSnapshotId')} "
                        "(a 64-bit id loses precision in JSON.parse)")
        else:
            report.ok("orders shows the API's snapshot id")
        report.check("orders has no error", cell("orders", "Error").startswith("1 snapshot(s)") and not row("orders").find_elements(By.CSS_SELECTOR, ".error"),
                     f"Error cell {cell('orders', 'Error')!r}")

        # Pause: the page posts, refreshes, and shows PAUSED; the API agrees.
        row("orders").find_element(By.CSS_SELECTOR, 'button[data-act="pause"]').click()
        wait_for("orders' badge to show PAUSED", lambda: badge("orders")[0] == "PAUSED")
        report.ok("Pause: orders' badge shows PAUSED")
        report.check("Pause: the button became Resume",
                     bool(row("orders").find_elements(By.CSS_SELECTOR, 'button[data-act="resume"]'))
                     and not row("orders").find_elements(By.CSS_SELECTOR, 'button[data-act="pause"]'),
                     "buttons: " + ", ".join(b.text for b in row("orders").find_elements(By.TAG_NAME, "button")))
        status, orders = http_json("GET", url + "/tasks/orders")
        report.check("Pause: GET /tasks/orders says enabled false", status == 200 and orders.get("enabled") is False, f"{status} {orders}")
        report.check("Pause: broken-lake is untouched", badge("broken-lake")[0] == "FAILED", f"its badge is {badge('broken-lake')[0]!r}")
        paused_shot = os.path.splitext(screenshot)[0] + "-paused.png"
        move_pointer_away()
        if driver.save_screenshot(paused_shot):
            print(f"  (paused state: {paused_shot})", flush=True)

        # Resume: back to COMPLETED and enabled.
        row("orders").find_element(By.CSS_SELECTOR, 'button[data-act="resume"]').click()
        wait_for("orders' badge to show COMPLETED again", lambda: badge("orders")[0] == "COMPLETED")
        report.ok("Resume: orders' badge shows COMPLETED")
        status, orders = http_json("GET", url + "/tasks/orders")
        report.check("Resume: GET /tasks/orders says enabled true", status == 200 and orders.get("enabled") is True, f"{status} {orders}")
        wait_for("the Pause button to come back", lambda: row("orders").find_elements(By.CSS_SELECTOR, 'button[data-act="pause"]'))
        report.ok("Resume: the Pause button is back")

        # JavaScript errors, as the browser logged them (a failed fetch, a thrown exception).
        severe = [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]
        if any("favicon.ico" in e.get("message", "") for e in severe):
            report.warn("GET /favicon.ico answers 404 (the page names no icon)")
            severe = [e for e in severe if "favicon.ico" not in e.get("message", "")]
        move_pointer_away()
        report.check("no JavaScript errors in the console", not severe, "; ".join(e.get("message", "") for e in severe))
    except UnexpectedAlertPresentException as error:
        report.fail("the page", f"showed an alert: {error.alert_text!r}")
    except CheckFailed as error:
        report.fail("waiting", str(error))
    except Exception as error:  # noqa: BLE001
        report.fail("unexpected error", f"{type(error).__name__}: {error}")
        traceback.print_exc()
    finally:
        if driver is not None:
            try:
                os.makedirs(os.path.dirname(screenshot) or ".", exist_ok=True)
                if driver.save_screenshot(screenshot):
                    print(f"screenshot: {screenshot}", flush=True)
                else:
                    report.fail("screenshot", f"could not write {screenshot}")
            except Exception as error:  # noqa: BLE001
                report.fail("screenshot", f"{type(error).__name__}: {error}")
            if report.failed:
                with open(os.path.join(root, "page.html"), "w") as f:
                    f.write(driver.page_source)
            driver.quit()
        started = time.monotonic()
        exit_code = server.stop(timeout)
        report.check("SIGTERM: serve exits 0", exit_code == 0,
                     "it had to be killed" if exit_code is None else f"exit code {exit_code}")
        print(f"  (serve stopped {time.monotonic() - started:.1f} s after SIGTERM)", flush=True)
        if report.failed:
            print("\n--- serve log (last 40 lines) ---\n" + "\n".join(server.log_text().splitlines()[-40:]), flush=True)
        server.kill()
        if report.failed or args.keep:
            print(f"kept {root} (serve.log" + (", page.html" if report.failed and driver else "") + ")")
        else:
            shutil.rmtree(root, ignore_errors=True)

    print(f"\nstatus page: {len(report.passed)} passed, {len(report.failed)} failed")
    if report.failed:
        print("failed: " + "; ".join(report.failed))
    if report.warnings:
        print(f"{len(report.warnings)} warning(s) about the page: " + "; ".join(report.warnings))
    print(f"{len(report.passed)} passed, {len(report.failed)} failed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
