"""The admin listener's live status page (`GET /`) in a real headless Chromium, driven by Selenium.

Real processes throughout: `mcp-proxy serve` with an admin listener and three stdio upstreams
(`example-server`): `steady` and `flaky` shared (flaky with a breaker that opens on the first
failure, and `--exit-at-start-while FLAG` so that once FLAG exists it cannot start again), and
`solo` per client session. The official MCP Python SDK calls tools through the proxy's
Streamable HTTP front while Debian's chromium (through chromium-driver) shows the page; the test
reads the page's `id`/`data-*` attributes, never the proxy's JSON, to see the numbers change.

Needs `chromium`, `chromedriver` and the `selenium` package (Scripts/interop-setup.sh installs
all three; CHROMIUM_BIN and CHROMEDRIVER_BIN override where the two binaries are looked for).
Without them the test skips with the reason, except under CI (env `CI` set), where it fails. It
leaves status-desktop.png and status-phone.png (screenshots) in its temporary directory.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import anyio
import pytest
from fault_fixtures import example_stdio
from network_fixtures import START_TIMEOUT, NetworkConnection, NetworkGateway, open_client, stop
from proxy_harness import deadline, text_of

pytestmark = pytest.mark.anyio

CHROMIUM = os.environ.get("CHROMIUM_BIN") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = os.environ.get("CHROMEDRIVER_BIN") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
ADMIN_LINE = re.compile(r"url=(http://127\.0\.0\.1:\d+).*\] admin listening")
# Longest the page may take to show a change (it polls every second).
PAGE_SECONDS = 15.0
# Reads everything the test checks from the page's DOM.
READ_PAGE = """
const status = document.getElementById('poll-status');
const value = (id) => document.getElementById(id).dataset;
const upstreams = {};
for (const article of document.querySelectorAll('#upstreams article.upstream')) {
  upstreams[article.dataset.upstream] = Object.assign({}, article.dataset, {
    badge: article.querySelector('.badge').textContent,
    detail: article.querySelector('[data-field="detail"]').textContent,
    series: Array.from(article.querySelectorAll('.series-row:not(.series-head)'), (row) => Object.assign({}, row.dataset)),
  });
}
return {
  poll: Object.assign({}, status.dataset, { text: status.textContent }),
  uptime: value('uptime').seconds,
  version: document.getElementById('version').textContent,
  clientSessions: value('client-sessions').value,
  totalRequests: value('total-requests').value,
  totalRate: value('total-rate').value,
  totalErrors: value('total-errors').value,
  upstreams: upstreams,
  errors: Array.from(document.querySelectorAll('#recent-errors .recent-error'),
                     (item) => Object.assign({}, item.dataset, { text: item.textContent })),
  noErrorsShown: !document.getElementById('no-errors').hidden,
  scrollWidth: document.documentElement.scrollWidth,
  bodyScrollWidth: document.body.scrollWidth,
  innerWidth: window.innerWidth,
  resources: performance.getEntriesByType('resource').map((entry) => entry.name),
};
"""


def missing_browser() -> list[str]:
    problems = []
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            problems.append(f"no executable {path} (Debian: apt-get install {package})")
    try:
        import selenium  # noqa: F401
    except ImportError:
        problems.append("the selenium package is not installed (it is pinned in Tests/Interop/requirements.txt)")
    return problems


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Any]:
    problems = missing_browser()
    if problems:
        reason = "status page browser test needs chromium, chromedriver and selenium (run Scripts/interop-setup.sh): " + "; ".join(problems)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
                     "--disable-extensions", "--disable-background-networking", "--window-size=1280,900",
                     f"--user-data-dir={tmp_path / 'chromium-profile'}"):
        options.add_argument(argument)
    service = Service(CHROMEDRIVER, log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(10)
    try:
        yield driver
    finally:
        driver.quit()


def admin_url(gateway: NetworkGateway) -> str:
    deadline_at = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline_at:
        match = ADMIN_LINE.search(gateway.log.read_text(errors="replace"))
        if match:
            return match.group(1)
        time.sleep(0.05)
    raise AssertionError(f"mcp-proxy serve did not announce its admin listener:\n{gateway.log_tail()}")


def read_page(driver: Any) -> dict[str, Any]:
    return driver.execute_script(READ_PAGE)


async def wait_for_page(driver: Any, gateway: NetworkGateway, what: str, check: Callable[[dict[str, Any]], bool],
                        seconds: float = PAGE_SECONDS) -> dict[str, Any]:
    """Reads the page every 100 ms until `check` holds; fails after `seconds` with what it showed."""
    until = time.monotonic() + seconds
    page: dict[str, Any] = {}
    while True:
        page = read_page(driver)
        try:
            if check(page):
                return page
        except (KeyError, IndexError, TypeError, ValueError):
            pass
        if time.monotonic() >= until:
            shown = json.dumps({key: page.get(key) for key in ("poll", "clientSessions", "totalRequests", "totalRate", "upstreams", "errors")}, indent=1)
            raise AssertionError(f"the status page did not show {what} within {seconds}s; it showed:\n{shown}\nproxy log:\n{gateway.log_tail()}")
        await anyio.sleep(0.1)


def number(text: str | None) -> float:
    """A data-* number; '' (not known yet) reads as 0."""
    return float(text) if text else 0.0


def series(upstream: dict[str, Any], tool: str) -> dict[str, str]:
    return next(row for row in upstream["series"] if row["method"] == "tools/call" and row["tool"] == tool)


def get(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("content-type", ""), response.read().decode()


async def calls(connection: NetworkConnection, tool: str, count: int) -> None:
    for index in range(count):
        with deadline(f"{tool} call {index}"):
            result = await connection.session.call_tool(tool, {"text": f"status {index}"})
        assert text_of(result) == f"status {index}"


async def test_status_page_shows_live_numbers_and_a_tripped_upstream(browser: Any, tmp_path: Path) -> None:
    flag = tmp_path / "flaky-cannot-start"
    upstreams = {
        "steady": example_stdio("steady", tmp_path),
        "flaky": example_stdio("flaky", tmp_path, "--exit-at-start-while", str(flag),
                               extra={"breaker": {"failureThreshold": 1, "openSeconds": 120}}),
        "solo": example_stdio("solo", tmp_path, faults=False, extra={"pool": {"mode": "perSession"}}),
    }
    proxy = {
        "admin": {"host": "127.0.0.1", "port": 0},
        "upstreams": {"restart": True, "shutdownGraceSeconds": 1},
        "limits": {"requestTimeoutSeconds": 5},
    }
    gateway = NetworkGateway.start(tmp_path, upstreams, proxy)
    try:
        admin = admin_url(gateway)

        # The JSON the page polls, and the admin pages that were there before, unchanged.
        status, content_type, body = get(admin + "/status.json")
        assert status == 200 and content_type.startswith("application/json"), (status, content_type)
        report = json.loads(body)
        assert [upstream["name"] for upstream in report["upstreams"]] == ["steady", "flaky", "solo"], report
        assert report["server"]["proxyVersion"] and report["recentErrors"] == [], report
        healthz, metrics = get(admin + "/healthz"), get(admin + "/metrics")
        assert (healthz[0], healthz[2]) == (200, "ok\n"), healthz
        assert metrics[0] == 200 and metrics[1].startswith("text/plain"), metrics[:2]
        status, content_type, html = get(admin + "/")
        assert status == 200 and content_type.startswith("text/html"), (status, content_type)
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the page must not load anything from elsewhere"

        # 1. The page comes up with every upstream.
        browser.get(admin + "/")
        page = await wait_for_page(browser, gateway, "steady and flaky up, solo idle (per session)", lambda page: (
            page["poll"]["state"] == "live"
            and page["upstreams"]["steady"]["state"] == "up" and page["upstreams"]["flaky"]["state"] == "up"
            and page["upstreams"]["solo"]["state"] == "idle" and page["upstreams"]["solo"]["mode"] == "perSession"))
        assert page["upstreams"]["steady"]["mode"] == "shared" and page["upstreams"]["steady"]["sessions"] == "1", page["upstreams"]["steady"]
        assert page["clientSessions"] == "0" and page["totalRequests"] == "0", page
        assert number(page["uptime"]) > 0 and page["version"], page
        assert page["noErrorsShown"] and page["errors"] == [], page["errors"]
        assert all(name.startswith(admin + "/") for name in page["resources"]), f"the page fetched from elsewhere: {page['resources']}"
        polls_before = int(page["poll"]["polls"])

        async with open_client(gateway, "streamable-http") as connection:
            # 2. A client session appears, and solo starts a child for it.
            page = await wait_for_page(browser, gateway, "one client session and solo up", lambda page: (
                page["clientSessions"] == "1" and page["upstreams"]["solo"]["state"] == "up"
                and page["upstreams"]["solo"]["sessions"] == "1"))
            assert int(page["poll"]["polls"]) > polls_before, "the page did not poll again"

            # 3. Ten calls through the proxy: the counts, the per-tool row and its latency show up.
            await calls(connection, "steady__echo", 10)
            page = await wait_for_page(browser, gateway, "10 requests to steady, 10 in its echo row", lambda page: (
                page["upstreams"]["steady"]["requests"] == "10" and series(page["upstreams"]["steady"], "echo")["requests"] == "10"))
            echo = series(page["upstreams"]["steady"], "echo")
            assert echo["errors"] == "0" and number(echo["p50"]) > 0 and number(echo["p99"]) >= number(echo["p50"]), echo
            assert number(page["upstreams"]["steady"]["p50"]) > 0, page["upstreams"]["steady"]
            assert page["totalRequests"] == "10" and page["totalErrors"] == "0", page
            assert page["upstreams"]["flaky"]["requests"] == "0", page["upstreams"]["flaky"]

            # 4. The rate is over about the last second: with no traffic it falls to 0; with traffic
            #    while the page watches it goes up, and back to 0 once the traffic stops.
            await wait_for_page(browser, gateway, "steady's rate at 0 a while after the ten calls", lambda page: (
                page["upstreams"]["steady"]["rate"] != "" and number(page["upstreams"]["steady"]["rate"]) == 0))
            async with anyio.create_task_group() as group:
                async def traffic() -> None:
                    while True:
                        await calls(connection, "steady__echo", 1)
                        await anyio.sleep(0.05)

                group.start_soon(traffic)
                page = await wait_for_page(browser, gateway, "a request rate above 0 for steady", lambda page: (
                    int(page["upstreams"]["steady"]["requests"]) > 10
                    and number(page["upstreams"]["steady"]["rate"]) > 0 and number(page["totalRate"]) > 0
                    and number(series(page["upstreams"]["steady"], "echo")["rate"]) > 0))
                group.cancel_scope.cancel()
            rate_seen = number(page["upstreams"]["steady"]["rate"])
            page = await wait_for_page(browser, gateway, "steady's rate back to 0 with no traffic", lambda page: (
                page["upstreams"]["steady"]["rate"] != "" and number(page["upstreams"]["steady"]["rate"]) == 0))
            assert int(page["upstreams"]["steady"]["requests"]) > 10, page["upstreams"]["steady"]

            # 5. Trip flaky: it crashes mid-call and cannot start again; its breaker opens at once.
            flag.touch()
            crashed: Any
            with deadline("flaky__crash"):
                try:
                    crashed = await connection.session.call_tool("flaky__crash", {})
                except Exception as error:  # the proxy answers the call with an error naming the upstream
                    crashed = error
            assert isinstance(crashed, Exception) or getattr(crashed, "is_error", False), f"a crashing call should fail: {crashed!r}"
            page = await wait_for_page(browser, gateway, "flaky's breaker open and its crash in the recent errors", lambda page: (
                page["upstreams"]["flaky"]["state"] == "breaker-open"
                and any(error["upstream"] == "flaky" and error["tool"] == "crash" for error in page["errors"])))
            flaky = page["upstreams"]["flaky"]
            assert flaky["badge"] == "breaker open" and flaky["sessions"] == "0", flaky
            assert number(flaky["errors"]) >= 1 and series(flaky, "crash")["errors"] == "1", flaky
            entry = next(error for error in page["errors"] if error["tool"] == "crash")
            assert entry["method"] == "tools/call" and entry["outcome"] == "upstream_unavailable", entry
            assert "flaky" in entry["text"] and "crash" in entry["text"], entry
            assert abs(number(entry["time"]) - time.time()) < 60, entry
            assert not page["noErrorsShown"], "the 'no errors' line is still shown"
            assert page["upstreams"]["steady"]["state"] == "up", page["upstreams"]["steady"]

            # 6. The steady upstream is unaffected: another call still counts.
            before = int(page["upstreams"]["steady"]["requests"])
            await calls(connection, "steady__echo", 1)
            await wait_for_page(browser, gateway, "steady's count up by one after the trip", lambda page: (
                int(page["upstreams"]["steady"]["requests"]) == before + 1))

            # 7. On a phone: at 375 px nothing scrolls sideways (with errors and tool rows on the page).
            browser.save_screenshot(str(tmp_path / "status-desktop.png"))
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": 375, "height": 800, "deviceScaleFactor": 2, "mobile": True})
            try:
                page = await wait_for_page(browser, gateway, "a 375 px layout without horizontal scrolling", lambda page: (
                    page["innerWidth"] == 375 and page["poll"]["state"] == "live"), seconds=5)
                await anyio.sleep(1.2)  # one more poll renders into the narrow layout
                page = read_page(browser)
                assert page["innerWidth"] == 375, page["innerWidth"]
                assert page["scrollWidth"] <= page["innerWidth"] and page["bodyScrollWidth"] <= page["innerWidth"], (
                    f"horizontal scrolling at 375 px: scrollWidth {page['scrollWidth']}, body {page['bodyScrollWidth']}")
                browser.save_screenshot(str(tmp_path / "status-phone.png"))
            finally:
                browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

        # 8. The client left: the page shows no client session.
        await wait_for_page(browser, gateway, "no client session after the client left", lambda page: page["clientSessions"] == "0")
        assert rate_seen > 0
    finally:
        stop(gateway.process)
