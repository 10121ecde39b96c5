/// The status page at `/`: one self-contained HTML document (no build step, no framework) whose
/// script reads the API — `/tasks`, then each task's `/tasks/{name}` for its counts, error and
/// per-snapshot history — refreshes every five seconds, and posts the pause, resume and trigger
/// buttons. A token, when the service needs one, is read from the page's `#token=` fragment
/// (never sent to the server in a URL) and kept in the tab's session storage.
enum StatusPage {
    static func html() -> String {
        #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>LakeIngest tasks</title>
        <link rel="icon" href="data:,">
        <style>
          body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1d2330; background: #f6f7f9; }
          h1 { font-size: 20px; margin: 0 0 4px; }
          .sub { color: #5b6475; margin-bottom: 18px; }
          table { border-collapse: collapse; width: 100%; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
          th, td { text-align: left; padding: 8px 10px; border-bottom: 1px solid #e6e8ec; vertical-align: top; }
          th { font-weight: 600; color: #5b6475; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
          th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
          #tasks > tr > td:first-child b, #tasks > tr > td:nth-child(4), #tasks > tr > td:last-child { white-space: nowrap; }
          #tasks > tr > td:last-child { width: 1%; }
          .scroll { overflow-x: auto; }
          .state { display: inline-block; padding: 2px 8px; border-radius: 10px; font-weight: 600; font-size: 12px; }
          .COMPLETED { background: #dff3e4; color: #17663a; } .FAILED { background: #fde2e1; color: #a1251b; }
          .RUNNING { background: #e0ecff; color: #1d4fb8; } .IDLE, .PAUSED { background: #eceef1; color: #5b6475; }
          .error { color: #a1251b; max-width: 520px; white-space: pre-wrap; font-size: 13px; }
          .where { color: #5b6475; font-size: 12px; overflow-wrap: anywhere; }
          button { font: inherit; font-size: 12px; padding: 3px 10px; margin: 0 4px 4px 0; border: 1px solid #c5cad3; border-radius: 4px; background: #fff; cursor: pointer; }
          button:hover { background: #eef1f5; }
          details summary { cursor: pointer; color: #1d4fb8; }
          .history td, .history th { padding: 3px 8px; font-size: 12px; }
          .failures { background: #fff4e5; border: 1px solid #f3c98b; padding: 10px 12px; margin-bottom: 16px; }
        </style>
        </head>
        <body>
        <h1>LakeIngest tasks</h1>
        <div class="sub" id="updated">loading…</div>
        <div id="failures"></div>
        <div class="scroll"><table>
          <thead><tr><th>Task</th><th>State</th><th>Last snapshot</th><th>Last run</th><th class="num">Files discovered / ingested</th><th class="num">Segments</th><th class="num">Rows</th><th>Error</th><th></th></tr></thead>
          <tbody id="tasks"></tbody>
        </table></div>
        <script>
        const fragment = new URLSearchParams(location.hash.slice(1));
        if (fragment.get("token")) { sessionStorage.setItem("lakeingestToken", fragment.get("token")); history.replaceState(null, "", location.pathname); }
        const token = sessionStorage.getItem("lakeingestToken");
        const headers = token ? { "Authorization": "Bearer " + token } : {};
        // Snapshot ids are 64-bit: read them as strings, which JSON.parse would round.
        const parse = text => JSON.parse(text.replace(/("(?:lastIngestedSnapshotId|snapshotId)":\s*)(-?\d{16,})/g, '$1"$2"'));
        const getJSON = async path => parse(await (await fetch(path, { headers })).text());
        const openHistory = new Set();
        const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
        function duration(a, b) {
          if (!a || !b) return "";
          const s = (new Date(b) - new Date(a)) / 1000;
          if (s < 0.1) return "<0.1 s";
          return s < 60 ? s.toFixed(1) + " s" : Math.floor(s / 60) + " min " + Math.round(s % 60) + " s";
        }
        function when(t) {
          const d = new Date(t);
          return d.toDateString() === new Date().toDateString() ? d.toLocaleTimeString() : d.toLocaleString();
        }
        async function act(name, what) {
          const r = await fetch("/tasks/" + encodeURIComponent(name) + "/" + what, { method: "POST", headers });
          if (!r.ok) { const body = await r.json().catch(() => ({})); alert((body.error && body.error.message) || r.statusText); }
          refresh();
        }
        function errorCell(e) {
          if (!e) return "";
          const where = [e.file, e.rowGroup != null ? "row group " + e.rowGroup : null, e.row != null ? "row " + e.row : null,
                         e.column ? "column " + e.column : null].filter(Boolean).join(", ");
          return '<div class="error">' + esc(e.category) + ": " + esc(e.message) + "</div>" + (where ? '<div class="where">' + esc(where) + "</div>" : "");
        }
        function history(name, s) {
          if (!s.snapshots || !s.snapshots.length) return "";
          const rows = s.snapshots.map(p => "<tr><td>" + esc(p.snapshotId ?? p.step) + "</td><td>" + esc(p.operation ?? p.action) + "</td><td class=num>" + p.files +
            "</td><td class=num>" + p.segments + "</td><td class=num>" + p.rows + "</td></tr>").join("");
          return '<details data-history="' + esc(name) + '"' + (openHistory.has(name) ? " open" : "") + '><summary>' + s.snapshots.length + ' snapshot(s)</summary><table class="history"><tr><th>Snapshot</th><th>Operation</th><th>Files</th><th>Segments</th><th>Rows</th></tr>' + rows + "</table></details>";
        }
        async function refresh() {
          try {
            const ready = await fetch("/readyz", { headers });
            const readyBody = await ready.json();
            document.getElementById("failures").innerHTML = ready.ok ? "" :
              '<div class="failures"><b>Configurations that did not load</b><ul>' + (readyBody.failures || []).map(f => "<li><b>" + esc(f.file) + "</b>: " + esc(f.message) + "</li>").join("") + "</ul></div>";
            const tasks = await getJSON("/tasks");
            const rows = [];
            for (const t of tasks) {
              const s = await getJSON("/tasks/" + encodeURIComponent(t.name));
              const state = t.enabled ? t.state : "PAUSED";
              rows.push("<tr data-task='" + esc(t.name) + "'><td><b>" + esc(t.name) + "</b><div class=where>table " + esc(t.table) + "</div></td>" +
                '<td><span class="state ' + esc(state) + '">' + esc(state) + "</span>" + (t.enabled ? "" : '<div class=where>last run ' + esc(t.state) + "</div>") + "</td>" +
                "<td>" + esc(t.lastIngestedSnapshotId ?? "–") + "</td>" +
                "<td>" + esc(t.lastRunStartedAt ? new Date(t.lastRunStartedAt).toLocaleString() : "–") + '<div class=where>' + esc(duration(t.lastRunStartedAt, t.lastRunEndedAt)) +
                (t.nextRunAt ? " · next " + esc(when(t.nextRunAt)) : "") + "</div></td>" +
                "<td class=num>" + (s.filesDiscovered ?? 0) + " / " + (s.filesIngested ?? 0) + "</td><td class=num>" + (s.segmentsGenerated ?? 0) +
                "</td><td class=num>" + (s.rowsIngested ?? 0) + "</td><td>" + errorCell(s.error) + history(t.name, s) + "</td>" +
                "<td>" + (t.enabled ? '<button data-act="pause">Pause</button>' : '<button data-act="resume">Resume</button>') +
                '<button data-act="trigger">Run now</button></td></tr>');
            }
            document.getElementById("tasks").innerHTML = rows.join("");
            document.getElementById("updated").textContent = tasks.length + " task(s) · updated " + new Date().toLocaleTimeString();
          } catch (e) {
            document.getElementById("updated").textContent = "cannot reach the service: " + e;
          }
        }
        document.getElementById("tasks").addEventListener("toggle", e => {
          const name = e.target.dataset && e.target.dataset.history;
          if (name) { if (e.target.open) openHistory.add(name); else openHistory.delete(name); }
        }, true);
        document.getElementById("tasks").addEventListener("click", e => {
          const button = e.target.closest("button");
          if (button) act(button.closest("tr").dataset.task, button.dataset.act);
        });
        refresh();
        setInterval(refresh, 5000);
        </script>
        </body>
        </html>
        """#
    }
}
