// The HTML landing page at GET /: what this is, its URLs, how to publish a repo, what it serves.
import { escapeHtml, page } from './html.js';

export interface LandingInfo {
  domain: string;
  relayUrl: string;
  httpBase: string;
  version: string;
  repos: Array<{ npub: string; d: string; name?: string; description?: string }>;
}

export function landingPage(info: LandingInfo): string {
  const rows = info.repos
    .slice(0, 500)
    .map((r) => {
      const href = `/${r.npub}/${encodeURIComponent(r.d)}.git`;
      return `<tr><td><a href="${escapeHtml(href)}">${escapeHtml(r.name || r.d)}</a></td><td>${escapeHtml(r.description ?? '')}</td><td><code>${escapeHtml(r.npub.slice(0, 16))}…</code></td></tr>`;
    })
    .join('\n');
  return page(
    `graspd — ${info.domain}`,
    `<h1>graspd</h1>
<p>This is a <strong>GRASP server</strong> (Git Relays Authorized via Signed-Nostr Proofs): a Nostr relay and a git
host in one. Repositories are governed by NIP-34 events: anyone can clone, and a push is accepted only when it matches
the latest repository state (kind 30618) signed by a maintainer.</p>
<ul>
<li>Relay: <code>${escapeHtml(info.relayUrl)}</code></li>
<li>Clone URLs: <code>${escapeHtml(info.httpBase)}/&lt;npub&gt;/&lt;identifier&gt;.git</code></li>
</ul>
<h2>Publish a repository here</h2>
<p>With <a href="https://gitworkshop.dev/ngit">ngit</a>: run <code>ngit init</code> in your repository and choose this
server (<code>${escapeHtml(info.domain)}</code>) as a GRASP server; then <code>git push</code>.</p>
<p>By hand: publish a repository announcement (kind 30617) whose <code>clone</code> tag lists
<code>${escapeHtml(info.httpBase)}/&lt;your npub&gt;/&lt;identifier&gt;.git</code> and whose <code>relays</code> tag lists
<code>${escapeHtml(info.relayUrl)}</code>, then a state event (kind 30618) with your branch tips, then
<code>git push</code> to the clone URL.</p>
<h2>Repositories (${info.repos.length})</h2>
${info.repos.length ? `<table><tr><th>name</th><th>description</th><th>owner</th></tr>\n${rows}</table>` : '<p>None yet.</p>'}
<p><small>graspd ${escapeHtml(info.version)} · <a href="/status">status</a> · <a href="/metrics">metrics</a></small></p>`,
  );
}

export function notFoundPage(what = 'Not found'): string {
  return page('404 — not found', `<h1>404</h1><p>${escapeHtml(what)}</p><p><a href="/">home</a></p>`);
}
