// Repo web page and 404 page (GRASP-01 git-http:58, grasp-requirements.md 3.12). Pure string
// building; every value from events or URLs is HTML-escaped.

export interface RepoPageData {
  npub: string;
  d: string;
  name?: string;
  description?: string;
  cloneUrl: string;
  head?: string;
  refs: Array<{ ref: string; oid: string }>;
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
code,pre{background:#f3f3f3;padding:.1rem .3rem;border-radius:3px}td{padding:.1rem .6rem;font-family:monospace}</style>
</head><body>
${body}
</body></html>
`;
}

export function renderRepoPage(p: RepoPageData): string {
  const title = p.name && p.name.trim() !== '' ? p.name : p.d;
  const workshop = `https://gitworkshop.dev/${encodeURIComponent(p.npub)}/${encodeURIComponent(p.d)}`;
  const rows = p.refs
    .map((r) => `<tr><td>${escapeHtml(r.ref)}</td><td>${escapeHtml(r.oid)}</td></tr>`)
    .join('\n');
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>
${p.description ? `<p>${escapeHtml(p.description)}</p>` : ''}
<p>Clone: <code>git clone ${escapeHtml(p.cloneUrl)}</code></p>
<p>Browse, open issues and pull requests on <a href="${escapeHtml(workshop)}">gitworkshop.dev</a>.</p>
<p>Owner: <code>${escapeHtml(p.npub)}</code>${p.head ? ` · HEAD: <code>${escapeHtml(p.head)}</code>` : ''}</p>
${rows ? `<table><thead><tr><th>ref</th><th>commit</th></tr></thead><tbody>\n${rows}\n</tbody></table>` : '<p>No refs pushed yet.</p>'}`,
  );
}

export function renderNotFoundPage(what = 'Not found'): string {
  return layout('404 Not Found', `<h1>404 Not Found</h1>\n<p>${escapeHtml(what)}</p>`);
}
