// uPlot builds its number formatter from the page's language when its module loads. WebKitGTK
// reports the C library's locale as that language: "C" under LANG=C or C.UTF-8 (a service's or a
// bare machine's default), which is no language tag, so Intl throws a RangeError, the module
// fails, and the whole window stays blank. Such a language is replaced here, before any library
// loads; the app's own language comes from core, not from it.
function isTag(language: string): boolean {
  try {
    return Intl.getCanonicalLocales(language).length > 0;
  } catch {
    return false;
  }
}

if (!isTag(navigator.language)) {
  Object.defineProperty(Navigator.prototype, "language", {
    configurable: true,
    get: () => "zh-CN",
  });
}

// A module, so that tests can import it again after changing the language.
export {};
