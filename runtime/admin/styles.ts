// The console's only stylesheet, inlined in every page: no asset route, no
// build step, nothing for an edge runtime to bundle. System fonts, one accent
// colour, and a single breakpoint where tables turn into stacked cards.

export const CSS = `
:root{--bg:#f6f7f9;--card:#fff;--ink:#1f2933;--muted:#52606d;--line:#d9dee4;--accent:#3451b2;--accent-ink:#fff;--ok:#1b7a43;--ok-bg:#e6f4ec;--bad:#b3261e;--bad-bg:#fdecea;--warn:#8a5a00;--warn-bg:#fff4dc;--code:#f0f2f5;--focus:#f5a623;color-scheme:light}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Liberation Sans",sans-serif}
a{color:var(--accent)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
[tabindex="-1"]:focus{outline:none}
code,pre,textarea.code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.875rem}
.skip{position:absolute;left:-999px;top:.5rem;background:var(--card);padding:.5rem 1rem;z-index:10}
.skip:focus{left:.5rem}
.top{background:#18213a;color:#fff}
.top-inner{max-width:72rem;margin:auto;padding:.6rem 1rem;display:flex;flex-wrap:wrap;align-items:center;gap:.25rem 1rem}
.brand{font-weight:700;letter-spacing:.01em;margin-right:auto}
.brand span{font-weight:400;opacity:.75}
.tenant{opacity:.85;font-size:.9rem}
.top form{margin:0}
.top button.linkish{color:#fff;border-color:rgba(255,255,255,.35);background:transparent;padding:.25rem .7rem;min-height:2rem}
nav.main{background:#222d4d}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.25rem}
nav.main ul{max-width:72rem;margin:auto;padding:0 .5rem}
nav.main a{display:block;color:#dfe6ff;text-decoration:none;padding:.6rem .75rem;border-bottom:3px solid transparent}
nav.main a[aria-current]{color:#fff;border-bottom-color:#8fa8ff;font-weight:600}
nav.main a:hover{color:#fff}
nav.sub{margin:0 0 1.25rem;border-bottom:1px solid var(--line)}
nav.sub a{display:block;padding:.5rem .8rem;text-decoration:none;color:var(--muted);border-bottom:3px solid transparent;margin-bottom:-1px}
nav.sub a[aria-current]{color:var(--ink);border-bottom-color:var(--accent);font-weight:600}
main{max-width:72rem;margin:auto;padding:1.25rem 1rem 3rem}
h1{font-size:1.6rem;line-height:1.25;margin:.25rem 0 1rem}
h2{font-size:1.2rem;margin:0 0 .75rem}
h3{font-size:1.05rem;margin:1rem 0 .5rem}
p{margin:.5rem 0}
.lead{color:var(--muted);margin-top:-.5rem;margin-bottom:1.25rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:1rem 1.1rem;margin:0 0 1.25rem}
.card>:first-child{margin-top:0}
.cards{display:grid;gap:1rem;grid-template-columns:repeat(auto-fit,minmax(15rem,1fr))}
.cards .card{margin:0}
details.card>summary{cursor:pointer;font-weight:600;font-size:1.1rem;list-style-position:outside;margin-left:1.1rem;padding:.15rem 0}
details.card[open]>summary{margin-bottom:.75rem}
.field{display:flex;flex-direction:column;gap:.3rem;margin:0 0 .9rem;min-width:0}
.field label,.label{font-weight:600}
.optional{font-weight:400;color:var(--muted)}
.hint{color:var(--muted);font-size:.875rem;margin:0}
.field-error{color:var(--bad);font-size:.875rem;margin:0;font-weight:600}
input[type=text],input[type=url],input[type=email],input[type=password],input[type=number],input[type=search],input[type=date],select,textarea{font:inherit;color:inherit;background:#fff;border:1px solid #aab4c0;border-radius:6px;padding:.5rem .6rem;width:100%;min-height:2.6rem}
textarea{resize:vertical}
fieldset{border:1px solid var(--line);border-radius:8px;padding:.6rem .9rem .2rem;margin:0 0 1rem;min-width:0}
legend{font-weight:600;padding:0 .3rem}
pre.excerpt{white-space:pre-wrap;overflow-wrap:anywhere;max-height:8rem;overflow:auto;margin:.3rem 0 0;background:var(--code);padding:.3rem .45rem;border-radius:4px}
textarea.copy-field{overflow-wrap:anywhere;word-break:break-all;resize:none;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.875rem;background:var(--code)}
textarea.code{line-height:1.45;white-space:pre;overflow:auto;tab-size:2}
[aria-invalid=true]{border-color:var(--bad);box-shadow:0 0 0 1px var(--bad)}
.grid{display:grid;gap:0 1rem;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr))}
.grid .wide{grid-column:1/-1}
.grid.two{grid-template-columns:repeat(2,minmax(0,1fr))}
.card form.narrow,.narrow{max-width:46rem}
.subsection{border-top:1px solid var(--line);margin-top:1.25rem;padding-top:.25rem}
.card>.hint{margin:0 0 .9rem}
.check{display:flex;gap:.6rem;align-items:flex-start;margin:0 0 .9rem}
.check input{width:1.2rem;height:1.2rem;margin:.15rem 0 0;flex:none;accent-color:var(--accent)}
.check label{font-weight:600}
.actions{display:flex;flex-wrap:wrap;gap:.6rem;align-items:center;margin:.5rem 0 0}
button,.button{font:inherit;font-weight:600;border-radius:6px;border:1px solid var(--accent);background:var(--accent);color:var(--accent-ink);padding:.5rem 1rem;min-height:2.6rem;cursor:pointer;text-decoration:none;display:inline-flex;align-items:center;justify-content:center}
button.secondary,.button.secondary{background:#fff;color:var(--accent)}
button.danger{background:#fff;color:var(--bad);border-color:var(--bad)}
button.small{padding:.25rem .7rem;min-height:2.1rem;font-size:.9rem}
button:hover{filter:brightness(1.08)}
.notice{border-radius:8px;padding:.7rem .9rem;margin:0 0 1rem;border:1px solid;font-weight:500}
.notice.success{background:var(--ok-bg);border-color:#9fd3b4;color:#114d2a}
.notice.error{background:var(--bad-bg);border-color:#f0b3ad;color:#7c1d17}
.notice.warn{background:var(--warn-bg);border-color:#f1d08a;color:#5c3c00}
.notice.info{background:#eef2ff;border-color:#c5d0f5;color:#263b85}
.notice p{margin:.2rem 0 0;font-weight:400}
.badge{display:inline-block;border-radius:999px;padding:.05rem .6rem;font-size:.8rem;font-weight:700;border:1px solid transparent;white-space:nowrap;vertical-align:middle}
.badge.ok{background:var(--ok-bg);color:var(--ok);border-color:#9fd3b4}
.badge.bad{background:var(--bad-bg);color:var(--bad);border-color:#f0b3ad}
.badge.warn{background:var(--warn-bg);color:var(--warn);border-color:#f1d08a}
.badge.neutral{background:#eef0f3;color:var(--muted);border-color:var(--line)}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;background:var(--card)}
caption{text-align:left;font-weight:600;padding:0 0 .5rem}
th,td{text-align:left;padding:.55rem .6rem;border-bottom:1px solid var(--line);vertical-align:top}
th{font-size:.85rem;color:var(--muted);font-weight:700;background:#fafbfc}
td form{margin:0}
td.num{font-variant-numeric:tabular-nums}
td.dns-name{min-width:13rem}
.copy{user-select:all;-webkit-user-select:all;overflow-wrap:anywhere;background:var(--code);padding:.15rem .35rem;border-radius:4px;display:inline-block}
.muted{color:var(--muted)}
.small{font-size:.875rem}
.nowrap{white-space:nowrap}
.break{word-break:break-word}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem;margin:0}
dl.facts dt{font-weight:600;color:var(--muted)}
dl.facts dd{margin:0;min-width:0;word-break:break-word}
.split{display:grid;gap:1.25rem;grid-template-columns:minmax(0,3fr) minmax(0,2fr);align-items:start;margin-bottom:1.25rem}
.split>.card{margin:0}
.listing{background:var(--code);border:1px solid var(--line);border-radius:8px;padding:.4rem 0;margin:.5rem 0 1rem;overflow-x:auto}
.listing .ln{display:flex;white-space:pre;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.85rem;line-height:1.5}
.listing .no{flex:none;width:3.5rem;text-align:right;padding-right:.75rem;color:var(--muted);user-select:none}
.listing .ln.bad{background:#fde2df}
.listing .ln.bad .no{color:var(--bad);font-weight:700}
.listing .msg{white-space:normal;color:var(--bad);font-weight:600;font-size:.875rem;padding:.1rem .75rem .35rem 4.25rem;font-family:inherit}
.listing .gap{color:var(--muted);padding-left:4.25rem;font-size:.85rem}
ul.problems{margin:.25rem 0 .75rem;padding-left:1.2rem}
ul.problems li{margin:.2rem 0}
ul.tree,ul.tree ul{list-style:none;margin:0;padding-left:1.1rem;border-left:2px solid var(--line)}
ul.tree{padding-left:.6rem}
ul.tree li{margin:.3rem 0}
.rule-result{border:1px solid var(--line);border-radius:8px;padding:.5rem .75rem;margin:.5rem 0;background:#fff}
.rule-result>summary{cursor:pointer;font-weight:600}
.rule-result>summary .muted{font-weight:400}
.leaf code{background:var(--code);padding:.05rem .3rem;border-radius:4px;word-break:break-word}
iframe.preview{width:100%;min-height:22rem;border:1px solid var(--line);border-radius:8px;background:#fff}
pre.text-preview{white-space:pre-wrap;background:var(--code);padding:.75rem;border-radius:8px;margin:0;word-break:break-word}
.signin{max-width:26rem;margin:10vh auto 0}
.signin h1{font-size:1.4rem}
.pager{margin-top:1rem}
svg.chart{display:block;width:100%;height:auto;max-height:16rem;margin:.25rem 0 .5rem}
svg.chart .grid-line{stroke:var(--line);stroke-width:1}
svg.chart .tick{font-size:13px;fill:var(--muted)}
svg.chart .label,svg.chart .value{font-size:14px;fill:var(--ink)}
.chart-grid{display:grid;gap:0 1.25rem;grid-template-columns:repeat(auto-fit,minmax(min(22rem,100%),1fr))}
.chart-data>summary{cursor:pointer;color:var(--accent);font-size:.9rem}
.chart-data table{margin-top:.5rem;font-size:.875rem}
ul.legend{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:0;padding:0;font-size:.85rem;color:var(--muted)}
ul.legend .swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.35rem;vertical-align:-.1rem}
dl.figures{display:grid;gap:.75rem 1.25rem;grid-template-columns:repeat(auto-fit,minmax(9.5rem,1fr));margin:0}
dl.figures dt{font-weight:600;color:var(--muted);font-size:.9rem}
dl.figures dd{margin:0;display:flex;flex-direction:column}
dl.figures .figure{font-size:1.6rem;font-weight:700;font-variant-numeric:tabular-nums;line-height:1.2}
ul.attention{margin:0;padding-left:1.2rem}
ul.attention li{margin:.35rem 0}
form.inline-action{margin:0;display:flex;flex-wrap:wrap;gap:.4rem;align-items:flex-end}
form.inline-action .field{margin:0}
details.history{margin-top:.35rem;font-size:.875rem}
.completion{border-top:1px solid var(--line);margin-top:.75rem;padding-top:.25rem}
.completion .grid{grid-template-columns:minmax(0,1fr)}
.completer-row{display:flex;gap:.4rem;align-items:center}
.completer-row input{flex:1 1 auto;min-width:0}
.completer-row button{flex:none;width:8.5rem}
details.history ol{margin:.25rem 0;padding-left:1.2rem}
.spaced{margin-top:1rem}
ul.flags{list-style:none;margin:0;padding:0}
ul.flags li{margin:.15rem 0}
ul.inline-list{list-style:none;display:flex;flex-wrap:wrap;gap:.25rem 1rem;margin:.25rem 0 .75rem;padding:0}
details.sample{border:1px solid var(--line);border-radius:8px;padding:.5rem .75rem;margin:.5rem 0}
details.sample>summary{cursor:pointer;font-weight:600;overflow-wrap:anywhere}
.sides{display:grid;gap:0 1rem;grid-template-columns:repeat(auto-fit,minmax(min(20rem,100%),1fr))}
.sides h4{margin:.75rem 0 .25rem}
progress{width:100%;height:1rem}
.chart-narrow{max-width:28rem}
.table-wrap caption{text-align:left;font-weight:600;padding:.5rem 0 .25rem}
@media (max-width:900px){.split{grid-template-columns:minmax(0,1fr)}}
@media (max-width:640px){
  main{padding:1rem .75rem 2.5rem}
  h1{font-size:1.35rem}
  .card{padding:.85rem}
  nav.main ul,nav.sub ul{flex-wrap:nowrap;overflow-x:auto;gap:0}
  nav.main a{padding:.55rem .55rem;white-space:nowrap}
  nav.sub a{padding:.5rem .45rem;white-space:nowrap;font-size:.9375rem}
  .top-inner{flex-wrap:nowrap;gap:.75rem;padding:.5rem .75rem}
  .brand{white-space:nowrap;min-width:0;overflow:hidden;text-overflow:ellipsis}
  .brand span{display:none}
  .tenant-label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
  .tenant{min-width:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
  .top button.linkish{white-space:nowrap;flex:none}
  .grid.two{grid-template-columns:minmax(0,1fr)}
  td.dns-name{min-width:0}
  table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
  table.stack,table.stack tbody,table.stack tr,table.stack td{display:block;width:100%}
  table.stack tr{border:1px solid var(--line);border-radius:8px;margin:0 0 .75rem;padding:.35rem .1rem;background:var(--card)}
  table.stack td{position:relative;border:0;padding:.3rem .6rem .3rem 8.6rem;min-height:2rem;overflow-wrap:anywhere}
  table.stack td::before{content:attr(data-label);position:absolute;left:.6rem;top:.35rem;width:7.5rem;font-weight:700;color:var(--muted);font-size:.85rem}
  table.stack .badge{white-space:normal}
  table.stack caption{display:block}
  dl.facts{grid-template-columns:1fr;gap:0}
  dl.facts dd{margin-bottom:.5rem}
  .actions button,.actions .button{flex:1 1 auto}
  table.stack th[scope=row]{display:block;width:100%;position:relative;border:0;padding:.3rem .6rem .3rem 8.6rem;min-height:2rem;overflow-wrap:anywhere;text-align:left;background:none}
  table.stack th[scope=row]::before{content:attr(data-label);position:absolute;left:.6rem;top:.35rem;width:7.5rem;font-weight:700;color:var(--muted);font-size:.85rem}
}
`;
