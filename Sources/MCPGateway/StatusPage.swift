import Crypto
import Foundation

/// The live status page the admin listener serves at `/`: one self-contained HTML document
/// (inline CSS and JavaScript, no external assets, so it works offline) that polls
/// `status.json` every second and shows each upstream's state, sessions, request rate,
/// latency and errors, per upstream and per tool, and the recent errors. Laid out for a phone
/// as well as a desktop (no horizontal scrolling at 375 px).
///
/// Elements carry stable ids and `data-*` attributes (documented in
/// `Documentation/Operations.md`) so that scripts and the browser test can read them.
enum StatusPage {
    /// `Content-Security-Policy` of the page: only its own inline script (by hash) and style,
    /// and fetches to its own origin.
    static let contentSecurityPolicy: String = {
        let digest = SHA256.hash(data: Data(script.utf8))
        let hash = Data(digest).base64EncodedString()
        return "default-src 'none'; script-src 'sha256-\(hash)'; style-src 'unsafe-inline'; connect-src 'self'; "
            + "img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    }()

    static let html: String = head + "<script>" + script + "</script>\n</body>\n</html>\n"

    private static let head = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>mcp-proxy status</title>
<style>
:root {
  --bg: #f6f7f9; --fg: #1b1f24; --muted: #5d6670; --card: #ffffff; --line: #dde1e6;
  --up: #1a7f37; --warn: #9a6700; --bad: #cf222e; --idle: #6e7781; --accent: #0969da;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #0d1117; --fg: #e6edf3; --muted: #9198a1; --card: #161b22; --line: #30363d;
          --up: #3fb950; --warn: #d29922; --bad: #f85149; --idle: #8b949e; --accent: #4493f8; }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--fg); overflow-wrap: anywhere;
       font: 15px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 0.75rem; }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1.05rem; margin: 1.25rem 0 0.5rem; }
h3 { font-size: 1rem; margin: 0; min-width: 0; }
.top { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 0.25rem 1rem; }
.muted { color: var(--muted); }
.num { font-variant-numeric: tabular-nums; }
#poll-status { font-size: 0.85rem; color: var(--muted); }
#poll-status::before { content: ""; display: inline-block; width: 0.6em; height: 0.6em; border-radius: 50%;
                       margin-right: 0.35em; background: var(--idle); vertical-align: 0.05em; }
#poll-status[data-state="live"]::before { background: var(--up); }
#poll-status[data-state="error"]::before { background: var(--bad); }
#poll-status[data-state="error"] { color: var(--bad); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(7.5rem, 1fr)); gap: 0.5rem; margin-top: 0.75rem; }
.tile { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 0.5rem 0.65rem; min-width: 0; }
.tile .label { display: block; font-size: 0.75rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
.tile .value { display: block; font-size: 1.2rem; font-weight: 600; }
#upstreams { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 22rem), 1fr)); gap: 0.75rem; }
.upstream { background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--idle);
            border-radius: 8px; padding: 0.65rem 0.75rem; min-width: 0; }
.upstream[data-state="up"] { border-left-color: var(--up); }
.upstream[data-state="starting"], .upstream[data-state="restarting"] { border-left-color: var(--warn); }
.upstream[data-state="breaker-open"], .upstream[data-state="unavailable"] { border-left-color: var(--bad); }
.upstream > header { display: flex; align-items: center; justify-content: space-between; gap: 0.5rem; }
.badge { flex: none; font-size: 0.75rem; font-weight: 600; padding: 0.1rem 0.5rem; border-radius: 999px;
         color: #fff; background: var(--idle); white-space: nowrap; }
.badge[data-state="up"] { background: var(--up); }
.badge[data-state="starting"], .badge[data-state="restarting"] { background: var(--warn); }
.badge[data-state="breaker-open"], .badge[data-state="unavailable"] { background: var(--bad); }
.facts { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.35rem 0.75rem; margin: 0.6rem 0 0; }
.facts div { min-width: 0; }
.facts dt { font-size: 0.72rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.03em; }
.facts dd { margin: 0; font-weight: 600; }
.detail { margin: 0.5rem 0 0; font-size: 0.85rem; color: var(--muted); }
.series { margin-top: 0.6rem; border-top: 1px solid var(--line); font-size: 0.85rem; }
.series-row { display: grid; grid-template-columns: minmax(0, 2.2fr) repeat(5, minmax(0, 1fr)); gap: 0.5rem;
              padding: 0.3rem 0; border-bottom: 1px solid var(--line); }
.series-row > span { min-width: 0; }
.series-row > span:not(.name) { text-align: right; }
.series-head { color: var(--muted); font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.03em; }
.series-row .method { color: var(--muted); font-size: 0.75rem; }
#recent-errors { list-style: none; margin: 0; padding: 0; }
.recent-error { display: grid; grid-template-columns: 5.5rem minmax(0, 1fr) minmax(0, 1.4fr) 7rem minmax(0, 3fr); gap: 0.5rem;
                background: var(--card); border: 1px solid var(--line); border-left: 4px solid var(--bad);
                border-radius: 6px; padding: 0.4rem 0.6rem; margin-bottom: 0.35rem; font-size: 0.85rem; }
.recent-error > span { min-width: 0; }
.recent-error .code { font-weight: 600; }
#no-errors { color: var(--muted); }
footer { margin: 1.5rem 0 0.5rem; font-size: 0.8rem; color: var(--muted); }
@media (max-width: 540px) {
  main { padding: 0.5rem; }
  .series-head { display: none; }
  .series-row { grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.15rem 0.5rem; }
  .series-row > .name { grid-column: 1 / -1; font-weight: 600; }
  .series-row > span:not(.name) { text-align: left; }
  .series-row > span[data-label]::before { content: attr(data-label) " "; color: var(--muted); font-size: 0.72rem; }
  .recent-error { grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.1rem 0.5rem; }
  .recent-error .message { grid-column: 1 / -1; }
  .recent-error .code { text-align: right; }
}
</style>
</head>
<body>
<main>
  <div class="top">
    <h1 id="title">mcp-proxy status</h1>
    <span id="poll-status" data-state="loading" role="status">connecting…</span>
  </div>
  <div class="muted"><span id="server-name"></span> <span id="version" class="num"></span></div>
  <section class="tiles" aria-label="totals">
    <div class="tile"><span class="label">uptime</span><span class="value num" id="uptime" data-seconds="">–</span></div>
    <div class="tile"><span class="label">client sessions</span><span class="value num" id="client-sessions" data-value="">–</span></div>
    <div class="tile"><span class="label">req/s</span><span class="value num" id="total-rate" data-value="">–</span></div>
    <div class="tile"><span class="label">requests</span><span class="value num" id="total-requests" data-value="">–</span></div>
    <div class="tile"><span class="label">errors</span><span class="value num" id="total-errors" data-value="">–</span></div>
    <div class="tile"><span class="label">upstreams up</span><span class="value num" id="upstreams-up" data-value="">–</span></div>
  </section>
  <h2>Upstreams</h2>
  <div id="upstreams"></div>
  <h2>Recent errors <span class="muted num" id="recent-errors-count" data-value=""></span></h2>
  <p id="no-errors">No failed requests since the start.</p>
  <ol id="recent-errors" data-count="0"></ol>
  <footer>Updates every second from <a href="status.json">status.json</a>. Latency percentiles are since the start;
    rates are over about the last second. Also: <a href="metrics">metrics</a>, <a href="stats">stats</a>,
    <a href="readyz">readyz</a>.</footer>
</main>

"""#

    static let script = #"""
"use strict";
(function () {
  const POLL_MS = 1000;
  const STATE_TEXT = { up: "up", starting: "starting", restarting: "restarting", "breaker-open": "breaker open",
    unavailable: "unavailable", drained: "drained", idle: "idle", removed: "removed" };
  const byId = (id) => document.getElementById(id);
  let polls = 0;

  function node(tag, attributes, text) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) element.setAttribute(key, value);
    if (text !== undefined) element.textContent = text;
    return element;
  }
  function rate(value) {
    if (value === undefined || value === null) return "–";
    if (value >= 100) return value.toFixed(0);
    if (value >= 10) return value.toFixed(1);
    return value.toFixed(2);
  }
  function ms(value) {
    if (value === undefined || value === null) return "–";
    if (value >= 1000) return (value / 1000).toFixed(2) + " s";
    if (value >= 10) return value.toFixed(0) + " ms";
    if (value >= 0.995) return value.toFixed(1) + " ms";
    return value.toFixed(2) + " ms";
  }
  function bare(value) {
    const text = ms(value);
    return text.endsWith(" ms") ? text.slice(0, -3) : text;
  }
  function latencyPair(p50, p99) {
    if (p50 === undefined || p50 === null) return "–";
    const a = ms(p50), b = ms(p99);
    const unit = (text) => text.slice(text.lastIndexOf(" "));
    return unit(a) === unit(b) ? a.slice(0, a.lastIndexOf(" ")) + " / " + b : a + " / " + b;
  }
  const OUTCOME_TEXT = { upstream_unavailable: "unavailable", timeout: "timeout", refused: "refused", error: "error" };
  function duration(seconds) {
    const s = Math.floor(seconds), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
      m = Math.floor(s % 3600 / 60), r = s % 60, two = (n) => String(n).padStart(2, "0");
    if (d > 0) return d + "d " + h + "h";
    if (h > 0) return h + "h " + two(m) + "m";
    if (m > 0) return m + "m " + two(r) + "s";
    return r + "s";
  }
  function clock(epochSeconds) {
    return new Date(epochSeconds * 1000).toLocaleTimeString([], { hour12: false });
  }
  function data(element, key, value) {
    element.dataset[key] = value === undefined || value === null ? "" : String(value);
  }
  function tile(id, value, text) {
    const element = byId(id);
    data(element, "value", value);
    element.textContent = text;
  }

  const FACTS = [["mode", "mode"], ["sessions", "sessions"], ["req/s", "rate"], ["requests", "requests"],
    ["errors", "errors"], ["p50 / p99", "latency"]];

  function card(name) {
    const article = node("article", { class: "upstream", "data-upstream": name });
    const header = node("header");
    header.append(node("h3", { class: "name" }, name), node("span", { class: "badge", "data-field": "state" }));
    const facts = node("dl", { class: "facts" });
    for (const [label, field] of FACTS) {
      const pair = node("div");
      pair.append(node("dt", {}, label), node("dd", { class: "num", "data-field": field }));
      facts.append(pair);
    }
    article.append(header, facts, node("p", { class: "detail", "data-field": "detail" }), node("div", { class: "series" }));
    return article;
  }
  function field(article, name, text) {
    article.querySelector('[data-field="' + name + '"]').textContent = text;
  }
  function seriesRow(item) {
    const row = node("div", { class: "series-row" });
    data(row, "method", item.method);
    data(row, "tool", item.tool);
    data(row, "requests", item.requests);
    data(row, "errors", item.errors);
    data(row, "rate", item.rate);
    data(row, "p50", item.p50Ms);
    data(row, "p99", item.p99Ms);
    const name = node("span", { class: "name" });
    if (item.tool !== undefined && item.tool !== null) {
      name.append(document.createTextNode(item.tool + " "), node("span", { class: "method" }, item.method));
    } else {
      name.textContent = item.method;
    }
    row.append(name,
      node("span", { class: "num", "data-label": "req" }, String(item.requests)),
      node("span", { class: "num", "data-label": "req/s" }, rate(item.rate)),
      node("span", { class: "num", "data-label": "err" }, String(item.errors)),
      node("span", { class: "num", "data-label": "p50 ms" }, bare(item.p50Ms)),
      node("span", { class: "num", "data-label": "p99 ms" }, bare(item.p99Ms)));
    return row;
  }
  function seriesHead() {
    const row = node("div", { class: "series-row series-head", "aria-hidden": "true" });
    for (const text of ["tool / method", "req", "req/s", "err", "p50 ms", "p99 ms"]) row.append(node("span", {}, text));
    return row;
  }

  function renderUpstreams(upstreams) {
    const container = byId("upstreams");
    const existing = new Map();
    for (const article of container.querySelectorAll("article.upstream")) existing.set(article.dataset.upstream, article);
    const seen = new Set();
    let up = 0;
    upstreams.forEach((upstream, index) => {
      seen.add(upstream.name);
      if (upstream.state === "up") up += 1;
      let article = existing.get(upstream.name);
      if (!article) article = card(upstream.name);
      if (container.children[index] !== article) container.insertBefore(article, container.children[index] || null);
      data(article, "state", upstream.state);
      data(article, "mode", upstream.mode);
      data(article, "sessions", upstream.sessions);
      data(article, "requests", upstream.requests);
      data(article, "errors", upstream.errors);
      data(article, "rate", upstream.rate);
      data(article, "p50", upstream.p50Ms);
      data(article, "p99", upstream.p99Ms);
      const badge = article.querySelector(".badge");
      data(badge, "state", upstream.state);
      badge.textContent = STATE_TEXT[upstream.state] || upstream.state;
      field(article, "mode", upstream.mode === "perSession" ? "per session" : upstream.mode);
      let sessions = String(upstream.sessions);
      if (upstream.opening > 0) sessions += " +" + upstream.opening + " opening";
      field(article, "sessions", sessions);
      field(article, "rate", rate(upstream.rate));
      field(article, "requests", String(upstream.requests));
      field(article, "errors", String(upstream.errors));
      field(article, "latency", latencyPair(upstream.p50Ms, upstream.p99Ms));
      let detail = upstream.detail;
      if (upstream.breaker && upstream.breaker !== "closed" && upstream.state !== "breaker-open") detail += " · breaker " + upstream.breaker;
      if (upstream.busy > 0 || upstream.waiting > 0) detail += " · " + upstream.busy + " busy, " + upstream.waiting + " waiting";
      field(article, "detail", detail);
      const series = article.querySelector(".series");
      const rows = [];
      if (upstream.series.length > 0) rows.push(seriesHead());
      for (const item of upstream.series) rows.push(seriesRow(item));
      series.replaceChildren(...rows);
      series.hidden = rows.length === 0;
    });
    for (const [name, article] of existing) if (!seen.has(name)) article.remove();
    tile("upstreams-up", up, up + " / " + upstreams.length);
  }

  function renderErrors(errors, recorded) {
    const list = byId("recent-errors");
    const items = errors.map((error) => {
      const item = node("li", { class: "recent-error" });
      data(item, "time", error.time);
      data(item, "upstream", error.upstream);
      data(item, "method", error.method);
      data(item, "tool", error.tool);
      data(item, "code", error.code);
      data(item, "outcome", error.outcome);
      const time = node("span", { class: "time num", title: new Date(error.time * 1000).toISOString() }, clock(error.time));
      const code = node("span", { class: "code num" },
        error.code !== undefined && error.code !== null ? String(error.code) : OUTCOME_TEXT[error.outcome] || error.outcome);
      const where = error.tool !== undefined && error.tool !== null ? error.method + " " + error.tool : error.method;
      item.append(time, node("span", { class: "upstream-name" }, error.upstream), node("span", { class: "what" }, where), code,
        node("span", { class: "message" }, error.message + " (" + ms(error.latencyNanoseconds / 1e6) + ")"));
      return item;
    });
    list.replaceChildren(...items);
    data(list, "count", errors.length);
    byId("no-errors").hidden = errors.length > 0;
    const count = byId("recent-errors-count");
    data(count, "value", recorded);
    count.textContent = recorded > errors.length ? "(last " + errors.length + " of " + recorded + ")" : "(" + errors.length + ")";
  }

  function render(report) {
    polls += 1;
    byId("server-name").textContent = report.server.name;
    byId("version").textContent = report.server.version +
      (report.server.proxyVersion !== report.server.version ? " · mcp-proxy " + report.server.proxyVersion : "");
    const uptime = byId("uptime");
    data(uptime, "seconds", report.server.uptimeSeconds);
    uptime.textContent = duration(report.server.uptimeSeconds);
    tile("client-sessions", report.clientSessions, String(report.clientSessions));
    tile("total-rate", report.totals.rate, rate(report.totals.rate));
    tile("total-requests", report.totals.requests, String(report.totals.requests));
    tile("total-errors", report.totals.errors, String(report.totals.errors));
    renderUpstreams(report.upstreams);
    renderErrors(report.recentErrors, report.totals.failuresRecorded);
    document.title = "mcp-proxy status · " + report.server.name;
    const status = byId("poll-status");
    data(status, "state", "live");
    data(status, "polls", polls);
    data(status, "time", report.server.time);
    status.textContent = "live · " + clock(report.server.time);
  }

  async function poll() {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    try {
      const response = await fetch("status.json", { cache: "no-store", signal: controller.signal });
      if (!response.ok) throw new Error("HTTP " + response.status);
      render(await response.json());
    } catch (error) {
      const status = byId("poll-status");
      data(status, "state", "error");
      status.textContent = "not reachable (" + (error && error.name === "AbortError" ? "timed out" : String(error && error.message || error)) + "); retrying";
    } finally {
      clearTimeout(timer);
      setTimeout(poll, POLL_MS);
    }
  }
  poll();
})();
"""#
}
