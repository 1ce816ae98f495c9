// VirtualList: a scrolling list that keeps only the rows near the viewport in the DOM, so a
// conversation of 10,000 messages scrolls like one of 20 (seed 001 §5). Rows have variable
// heights: each row is measured when it is first rendered and its height kept by key; until
// then an estimate stands in. Every change keeps what the user is looking at in place: the
// first visible row stays at the same pixel (older history prepended above it, rows above
// it re-measured), or, when the view was at the bottom, the view stays at the bottom (new
// messages, the phone keyboard opening).
//
//   const list = new VirtualList(scrollerElement, {
//     keyOf: (item) => item.vkey,              // stable per item
//     renderRow: (item, el) => { ... },        // fills el (called again by refresh())
//     estimate: (item) => 56,                  // height guess before the row is measured
//     header: element,                         // optional, shown above the first row
//     onNearTop: () => loadOlder(),            // scrolled within nearTopPx of the top
//   });
//   list.setItems(array)       // the whole list (the same array, changed, is fine: the list
//                              // keeps a copy to know what moved): re-lays out,
//                              // re-rendering the rows on screen
//   list.refresh()             // re-renders the rows in the DOM (ticks, recalls)
//   list.scrollToBottom()
(function (global) {
  'use strict';

  const OVERSCAN_PX = 800;
  const PINNED_SLACK_PX = 24;

  class VirtualList {
    constructor(scroller, opts) {
      this.scroller = scroller;
      this.keyOf = opts.keyOf;
      this.renderRow = opts.renderRow;
      this.estimate = opts.estimate || (() => 56);
      this.onNearTop = opts.onNearTop || null;
      this.nearTopPx = opts.nearTopPx || 600;
      this.sizer = document.createElement('div');
      this.sizer.className = 'vl-sizer';
      scroller.appendChild(this.sizer);
      this.header = opts.header || null;
      if (this.header) {
        this.header.classList.add('vl-header');
        this.sizer.appendChild(this.header);
      }
      this.items = [];
      this.index = new Map();     // key -> index in items
      this.heights = new Map();   // key -> measured px
      this.offsets = new Float64Array(1);
      this.dirty = true;
      this.rows = new Map();      // key -> row element in the DOM
      this.pinned = true;         // the view is at the bottom and should stay there
      this.frame = 0;
      this.width = scroller.clientWidth;
      this.height = scroller.clientHeight;
      scroller.addEventListener('scroll', () => this.onScroll(), { passive: true });
      if (typeof ResizeObserver === 'function') {
        new ResizeObserver(() => this.onResize()).observe(scroller);
      }
    }

    // ---- public ------------------------------------------------------------------------

    // Replaces the list and re-renders the rows on screen. The caller may change its array in
    // place between calls: the anchor is found in the copy kept from the previous call.
    setItems(items) {
      const anchor = this.captureAnchor();   // from the previous items: keep our own copy
      this.items = items.slice();
      items = this.items;
      this.index.clear();
      for (let i = 0; i < items.length; i++) this.index.set(this.keyOf(items[i]), i);
      for (const [key, el] of this.rows) {
        const i = this.index.get(key);
        if (i === undefined) {
          el.remove();
          this.rows.delete(key);
        } else {
          this.renderRow(items[i], el);   // the item may have changed (sent, read, recalled)
        }
      }
      this.dirty = true;
      this.layout(anchor);
    }

    // Re-renders the rows currently in the DOM (e.g. a tick or a recall changed them).
    refresh() {
      const anchor = this.captureAnchor();
      for (const [key, el] of this.rows) {
        const i = this.index.get(key);
        if (i !== undefined) this.renderRow(this.items[i], el);
      }
      this.layout(anchor);
    }

    scrollToBottom() {
      this.pinned = true;
      this.layout({ pinned: true });
    }

    isPinned() { return this.pinned; }

    // Rows in the DOM (for tests and the curious): far fewer than items.
    renderedCount() { return this.rows.size; }

    // ---- layout --------------------------------------------------------------------------

    headerHeight() { return this.header ? this.header.offsetHeight : 0; }

    recompute() {
      const n = this.items.length;
      if (this.offsets.length !== n + 1) this.offsets = new Float64Array(n + 1);
      let y = this.headerHeight();
      for (let i = 0; i < n; i++) {
        this.offsets[i] = y;
        const item = this.items[i];
        const h = this.heights.get(this.keyOf(item));
        y += h === undefined ? this.estimate(item) : h;
      }
      this.offsets[n] = y;
      this.dirty = false;
      this.sizer.style.height = y + 'px';
    }

    total() { return this.offsets[this.items.length]; }

    // What to keep still across a change: the bottom, or the first visible row and how far
    // below the top of the viewport it starts.
    captureAnchor() {
      if (this.pinned || !this.items.length) return { pinned: this.pinned };
      if (this.dirty) this.recompute();
      const i = this.indexAt(this.scroller.scrollTop);
      const key = this.keyOf(this.items[i]);
      return { pinned: false, key, delta: this.offsets[i] - this.scroller.scrollTop };
    }

    restoreAnchor(anchor) {
      const max = Math.max(0, this.total() - this.scroller.clientHeight);
      let top = this.scroller.scrollTop;
      if (anchor.pinned) top = max;
      else if (anchor.key !== undefined && this.index.has(anchor.key)) top = this.offsets[this.index.get(anchor.key)] - anchor.delta;
      top = Math.max(0, Math.min(max, top));
      if (Math.abs(this.scroller.scrollTop - top) >= 1) this.scroller.scrollTop = top;
    }

    // Index of the row under pixel y (binary search over offsets).
    indexAt(y) {
      let lo = 0;
      let hi = this.items.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.offsets[mid] <= y) lo = mid; else hi = mid - 1;
      }
      return Math.max(0, lo);
    }

    // Puts the rows of the viewport (plus overscan) in the DOM at their offsets, measures
    // the new ones, and repeats while measuring moved things, keeping `anchor` still.
    layout(anchor) {
      for (let pass = 0; pass < 4; pass++) {
        if (this.dirty) this.recompute();
        this.restoreAnchor(anchor);
        if (!this.renderRange()) break;
        this.dirty = true;
      }
      if (this.dirty) {
        this.recompute();
        this.restoreAnchor(anchor);
      }
      this.checkNearTop();
    }

    // Returns true when a rendered row's height differed from what the layout assumed.
    renderRange() {
      const n = this.items.length;
      const top = this.scroller.scrollTop - OVERSCAN_PX;
      const bottom = this.scroller.scrollTop + this.scroller.clientHeight + OVERSCAN_PX;
      const wanted = new Set();
      const fresh = [];
      if (n) {
        const start = this.indexAt(Math.max(0, top));
        for (let i = start; i < n && this.offsets[i] < bottom; i++) {
          const item = this.items[i];
          const key = this.keyOf(item);
          wanted.add(key);
          let el = this.rows.get(key);
          if (!el) {
            el = document.createElement('div');
            el.className = 'vl-row';
            this.renderRow(item, el);
            this.sizer.appendChild(el);
            this.rows.set(key, el);
            fresh.push(key);
          }
          const y = this.offsets[i];
          if (el._vlY !== y) {
            el.style.transform = 'translateY(' + y + 'px)';
            el._vlY = y;
          }
        }
      }
      for (const [key, el] of this.rows) {
        if (!wanted.has(key)) {
          el.remove();
          this.rows.delete(key);
        }
      }
      // Measure every row in the DOM: new ones, and re-rendered ones whose content changed.
      let changed = false;
      for (const [key, el] of this.rows) {
        const h = el.offsetHeight;
        if (this.heights.get(key) !== h) {
          if (h > 0) this.heights.set(key, h);
          changed = true;
        }
      }
      return changed;
    }

    checkNearTop() {
      if (this.onNearTop && this.items.length && this.scroller.scrollTop < this.nearTopPx) this.onNearTop();
    }

    // ---- events --------------------------------------------------------------------------

    onScroll() {
      const s = this.scroller;
      this.pinned = s.scrollTop + s.clientHeight >= s.scrollHeight - PINNED_SLACK_PX;
      if (this.frame) return;
      this.frame = requestAnimationFrame(() => {
        this.frame = 0;
        this.layout(this.captureAnchor());
      });
    }

    onResize() {
      const w = this.scroller.clientWidth;
      const h = this.scroller.clientHeight;
      if (w === this.width && h === this.height) return;
      const anchor = this.captureAnchor();
      if (w !== this.width) {
        // Text re-wraps: every measured height is stale.
        this.heights.clear();
        this.dirty = true;
      }
      this.width = w;
      this.height = h;
      this.layout(anchor);
    }
  }

  global.VirtualList = VirtualList;
})(typeof window !== 'undefined' ? window : globalThis);
