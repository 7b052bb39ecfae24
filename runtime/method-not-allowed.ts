// A known path asked with a method it does not answer is a 405 with `Allow`,
// not the 404 an unknown path gets: the client's mistake is the method.

type Route = { method: string; path: string };
type Matcher = { method: string; regex: RegExp };

const escape = (s: string) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&');

function toRegex(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      const param = /^:[A-Za-z0-9_]+(?:\{(.+)\})?$/.exec(segment);
      if (param) return param[1] ? `(?:${param[1]})` : '[^/]+';
      return escape(segment);
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}

/** Builds the lookup once from the routes the app registered (middleware, method ALL, is not a route). */
export function methodLookup(routes: () => readonly Route[]): (path: string) => string[] {
  let matchers: Matcher[] | undefined;
  return (path) => {
    matchers ??= routes()
      .filter((r) => r.method !== 'ALL')
      .map((r) => ({ method: r.method, regex: toRegex(r.path) }));
    const methods = new Set(matchers.filter((m) => m.regex.test(path)).map((m) => m.method));
    if (methods.has('GET')) methods.add('HEAD');
    return [...methods].sort();
  };
}
