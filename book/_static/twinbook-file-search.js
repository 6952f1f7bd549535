// Search from a copy of the book opened straight from the disk (file://).
//
// Sphinx's search finds pages in searchindex.js, which a file:// page may load, then fetches
// each result page to show a few lines of it under the result. Browsers refuse fetch() from a
// file:// page (CORS: "cross origin requests are only supported for protocol schemes http,
// https, ..."), so every result logged an error and showed no lines. From file://, results
// are listed without those lines instead; served over HTTP nothing changes. The book's pages
// (how to use it, the landing page) say so.
(() => {
  if (window.location.protocol === "file:" && typeof DOCUMENTATION_OPTIONS !== "undefined") {
    DOCUMENTATION_OPTIONS.SHOW_SEARCH_SUMMARY = false;
  }
})();
