// Names in tables and in "On this page" wrap only where a reader would break them: after a
// dot, an underscore, a slash, an opening parenthesis or a comma (`Permission.Complete`,
// `max_wait.json`, `fallback(retry(...))`), never in the middle of a word. A <wbr> marks
// each such place; the style sheet allows no other break inside a name. <wbr> is not
// copied with the text, unlike a zero-width space.
(() => {
  const SELECTORS = [
    "article table code.literal",
    ".sd-card code.literal",
    ".bd-sidebar-secondary .toc-entry a",
  ];
  const AFTER = /([._/(,])(?=[^._/(,\s])/g;

  function mark(root) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const texts = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      AFTER.lastIndex = 0;
      if (AFTER.test(node.data)) texts.push(node);
    }
    for (const node of texts) {
      const parts = node.data.split(AFTER);
      const fragment = document.createDocumentFragment();
      // split() with a capture group alternates text and separator: put a <wbr> after each
      // separator.
      parts.forEach((part, i) => {
        if (part) fragment.append(part);
        if (i % 2 === 1) fragment.append(document.createElement("wbr"));
      });
      node.replaceWith(fragment);
    }
  }

  function run() {
    for (const el of document.querySelectorAll(SELECTORS.join(","))) {
      if (!el.dataset.twinbookWbr) {
        el.dataset.twinbookWbr = "1";
        mark(el);
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", run);
  } else {
    run();
  }
})();
