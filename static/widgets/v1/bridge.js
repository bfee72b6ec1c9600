/*! Bridge storefront widgets v1: visual search, similar products, carousels, search-as-you-type.
 * <script src="https://SERVER/widgets/v1/bridge.js" data-key="pk_…" async></script>
 * Plain JavaScript, no framework, no build step. Everything it shows lives in Shadow DOM, so the
 * shop's CSS cannot break it, and it talks only to Bridge's public HTTP API with the publishable key. */
(function () {
  "use strict";
  const script = document.currentScript;
  if (!script || window.Bridge) return;
  const KEY = script.getAttribute("data-key");
  const API = (script.getAttribute("data-api") || new URL(script.src).origin).replace(/\/$/, "");
  const PRODUCT_URL = script.getAttribute("data-product-url") || ""; // for products without a url: "/p/{id}"
  const SYMBOLS = { EUR: "€", USD: "$", GBP: "£", JPY: "¥", INR: "₹", BRL: "R$" };
  const SECTIONS = ["home", "product", "cart", "order"];
  const MIN_BOX = 0.1; // the crop box never shrinks below a tenth of the photo
  let settings = {};
  let pageProduct = null;
  let started = false;

  const CSS = `
:host{all:initial}
.camera,.backdrop,.carousel,.suggest{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2330;text-align:left;letter-spacing:normal}
*{box-sizing:border-box}
button{font:inherit;cursor:pointer}
:focus-visible{outline:3px solid #2d6cdf;outline-offset:2px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}
.camera{display:inline-flex;align-items:center;justify-content:center;width:40px;height:40px;border:1px solid #c9cfdb;border-radius:50%;background:#fff}
.camera svg{width:22px;height:22px}
.backdrop{position:fixed;inset:0;background:rgba(15,20,30,.55);display:flex;align-items:center;justify-content:center;z-index:2147483000}
.backdrop[hidden]{display:none}
.dialog{background:#fff;width:min(960px,94vw);max-height:92vh;overflow:auto;border-radius:12px;padding:20px;box-shadow:0 20px 60px rgba(0,0,0,.3)}
.head{display:flex;justify-content:space-between;align-items:center;gap:12px}
h2{font-size:18px;margin:0 0 12px}
.close{border:0;background:none;font-size:26px;line-height:1;padding:4px 10px}
.drop{border:2px dashed #b8c0cf;border-radius:10px;padding:24px;text-align:center;background:#f7f8fb}
.drop.over{border-color:#2d6cdf;background:#eef3fd}
.drop img{max-width:160px;display:block;margin:0 auto 10px}
.pick{display:inline-block;margin:8px 4px 0;padding:8px 14px;border-radius:6px;border:1px solid #2d6cdf;background:#2d6cdf;color:#fff}
.pick.alt{background:#fff;color:#2d6cdf}
.layout{display:grid;grid-template-columns:minmax(200px,320px) 1fr;gap:20px;margin-top:14px}
.stage{position:relative;touch-action:none;user-select:none;align-self:start}
.stage img{display:block;width:100%;border-radius:6px}
.crop{position:absolute;border:2px solid #fff;box-shadow:0 0 0 9999px rgba(0,0,0,.35);outline:1px solid #2d6cdf;cursor:move;touch-action:none}
.crop span{position:absolute;width:16px;height:16px;background:#fff;border:2px solid #2d6cdf;border-radius:50%}
.nw{left:-9px;top:-9px;cursor:nwse-resize}.ne{right:-9px;top:-9px;cursor:nesw-resize}
.sw{left:-9px;bottom:-9px;cursor:nesw-resize}.se{right:-9px;bottom:-9px;cursor:nwse-resize}
.filters{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:10px}
.filters label{display:flex;flex-direction:column;font-size:12px;color:#5a6270}
.filters select,.filters input{font:inherit;padding:5px;border:1px solid #c9cfdb;border-radius:5px;min-width:110px}
.filters input{width:90px;min-width:0}
.status{min-height:20px;color:#5a6270;margin:0 0 8px}
.grid{list-style:none;margin:0;padding:0;display:grid;grid-template-columns:repeat(auto-fill,minmax(140px,1fr));gap:12px}
.card{display:block;color:inherit;text-decoration:none;border:1px solid #e3e6ee;border-radius:8px;overflow:hidden;background:#fff;height:100%}
.card img{display:block;width:100%;aspect-ratio:1;object-fit:contain;background:#f4f5f8}
.card .name{display:block;padding:6px 8px 0;font-size:13px}
.card .price{display:block;padding:2px 8px 8px;font-weight:600}
.carousel{margin:24px 0;position:relative}
.track{list-style:none;margin:0;padding:4px;display:grid;grid-auto-flow:column;grid-auto-columns:minmax(150px,180px);gap:12px;overflow-x:auto;scroll-snap-type:x mandatory}
.track li{scroll-snap-align:start}
.nav{position:absolute;top:0;right:0;display:flex;gap:6px}
.nav button{width:32px;height:32px;border-radius:50%;border:1px solid #c9cfdb;background:#fff}
.suggest{position:absolute;left:0;right:0;background:#fff;border:1px solid #c9cfdb;border-radius:8px;box-shadow:0 10px 30px rgba(0,0,0,.15);padding:6px;max-height:70vh;overflow:auto}
.suggest[hidden]{display:none}
.opt{display:flex;align-items:center;gap:10px;padding:7px 9px;border-radius:6px;cursor:pointer}
.opt[aria-selected=true]{background:#eef3fd}
.opt img{width:40px;height:40px;object-fit:contain;background:#f4f5f8;border-radius:4px}
.opt .kind{margin-left:auto;font-size:11px;color:#8a91a0}
mark{background:none;font-weight:700;color:inherit}
@media (max-width:600px){.dialog{width:100vw;height:100vh;max-height:none;border-radius:0;padding:14px}
.layout{grid-template-columns:1fr}.grid{grid-template-columns:repeat(2,1fr)}}`;

  // -- helpers ----------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value == null || value === false) continue;
      if (name.startsWith("on")) el.addEventListener(name.slice(2), value);
      else if (name === "text") el.textContent = value;
      else el.setAttribute(name, value === true ? "" : value);
    }
    el.append(...children.filter((child) => child != null));
    return el;
  }

  function shadowHost() {
    const host = h("div", { class: "bridge-widget" });
    const root = host.attachShadow({ mode: "open" });
    root.append(h("style", { text: CSS + (settings.css || "") }));
    return { host, root };
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) =>
      ((Math.random() * 16) | (c === "x" ? 0 : 8)).toString(16));
  }

  function remembered(storage, name) {
    try {
      const store = window[storage];
      let value = store.getItem(name);
      if (!value) store.setItem(name, (value = uuid()));
      return value;
    } catch (error) {
      return uuid(); // storage blocked (private mode): ids last for this page only
    }
  }

  const shopper = {
    user_id: remembered("localStorage", "bridge.user_id"),
    session_id: remembered("sessionStorage", "bridge.session_id"),
  };

  /** The key travels in the query string, not a header: GETs and photo uploads then need no
   * CORS preflight, so each keystroke of search-as-you-type is one request. */
  async function api(path, { method = "GET", json, form, keepalive } = {}) {
    const headers = {};
    let body = form;
    if (json) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(json);
    }
    const url = `${API}${path}${path.includes("?") ? "&" : "?"}public_key=${encodeURIComponent(KEY)}`;
    const response = await fetch(url, { method, headers, body, keepalive, credentials: "omit" });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw Object.assign(new Error(data.detail || response.statusText), { status: response.status });
    return data;
  }

  function price(amount) {
    if (amount == null || amount === "" || isNaN(amount)) return "";
    const format = settings.currency_format || "amountwithcomma_currency";
    const comma = format.includes("withcomma");
    const [whole, cents] = Number(amount).toFixed(2).split(".");
    const number = whole.replace(/\B(?=(\d{3})+(?!\d))/g, comma ? "." : ",") + (comma ? "," : ".") + cents;
    const symbol = SYMBOLS[settings.currency] || settings.currency || "";
    return format.startsWith("currency") ? `${symbol} ${number}` : `${number} ${symbol}`;
  }

  /** One product shape for the three the API answers (seed 003, search results, suggestions). */
  function normal(product) {
    const meta = product.metadata || product;
    const id = product.item_id || product.product_id;
    const fallback = PRODUCT_URL ? PRODUCT_URL.replace("{id}", encodeURIComponent(id)) : "";
    const image = safeUrl(meta.image_url || (product.images || [])[0]);
    return { id, name: meta.name || id, price: meta.price, image, url: safeUrl(meta.url || product.url) || fallback };
  }

  /** Catalog URLs come from the merchant's feed: only web links, never javascript: or data:. */
  function safeUrl(url) {
    return typeof url === "string" && /^(https?:\/\/|\/)/i.test(url) ? url : "";
  }

  function card(product, queryId) {
    return h("a", { class: "card", href: product.url || "#", onclick: () => track("click", product.id, { query_id: queryId }) },
      product.image ? h("img", { src: product.image, alt: product.name, loading: "lazy" }) : null,
      h("span", { class: "name", text: product.name }),
      h("span", { class: "price", text: price(product.price) }));
  }

  function clamp(value, low, high) {
    return Math.min(high, Math.max(low, value));
  }

  function focusables(root) {
    return [...root.querySelectorAll("button,input,select,a[href],[tabindex='0']")].filter(
      (el) => !el.disabled && el.tabIndex >= 0 && !el.closest("[hidden]") && el.getClientRects().length);
  }

  // -- tracking ---------------------------------------------------------------------------

  function track(event, itemId, extra) {
    if (!itemId) return Promise.resolve();
    const fields = Object.fromEntries(Object.entries(extra || {}).filter(([, value]) => value != null));
    return api("/v1/events", { method: "POST", keepalive: true, json: { event, item_id: String(itemId), ...shopper, ...fields } })
      .catch(() => null);
  }

  /** The shopper logged in: the anonymous id's history moves to the shop's user id (seed 003 merge users). */
  async function identify(userId) {
    userId = String(userId);
    if (!userId || userId === shopper.user_id) return;
    const old = shopper.user_id;
    shopper.user_id = userId;
    try { localStorage.setItem("bridge.user_id", userId); } catch (error) { /* storage blocked */ }
    await api("/v1/merge_user", { method: "POST", json: { old_user_id: old, new_user_id: userId } });
  }

  // -- carousels: the four sections, similar products on product pages -------------------

  async function carousel(section, slot, itemId) {
    const conf = settings[section];
    if (!conf || !conf.show || (conf.algo === "similarity" && !itemId)) return;
    const request = { algo: conf.algo, n_rec: Number(conf.n) || 12, item_id: itemId || undefined, ...shopper };
    const products = await api("/v1/recommend", { method: "POST", json: request });
    if (!products.length) return;
    const { host, root } = shadowHost();
    const titleId = `bridge-${section}-title`;
    const rail = h("ul", { class: "track", role: "list" }, ...products.map((p) => h("li", {}, card(normal(p)))));
    const scroll = (direction) => rail.scrollBy({ left: direction * rail.clientWidth * 0.8, behavior: "smooth" });
    root.append(h("section", { class: "carousel", "aria-labelledby": titleId, "data-section": section },
      h("h2", { id: titleId, text: conf.title }),
      h("div", { class: "nav" },
        h("button", { type: "button", "aria-label": "Previous products", onclick: () => scroll(-1), text: "‹" }),
        h("button", { type: "button", "aria-label": "Next products", onclick: () => scroll(1), text: "›" })),
      rail));
    slot.placeholder ? slot.element.append(host) : slot.element.after(host);
  }

  function slotsFor(section) {
    const marked = [...document.querySelectorAll(`[data-bridge-carousel="${section}"]`)];
    if (marked.length) return marked.map((element) => ({ element, placeholder: true }));
    const selector = (settings[section] || {}).show_after;
    const element = selector && document.querySelector(selector);
    return element ? [{ element, placeholder: false }] : [];
  }

  function mountSection(section) {
    for (const slot of slotsFor(section)) {
      const itemId = slot.element.getAttribute("data-product-id") || pageProduct;
      carousel(section, slot, itemId).catch((error) => console.warn("Bridge:", section, error.message));
    }
  }

  /** Name the product this page shows (or mark it with data-bridge-product): counts a view and,
   * once the widgets are up, fills the product section ("similar products"). */
  function product(productId) {
    pageProduct = String(productId);
    track("view", pageProduct);
    if (started) mountSection("product");
  }

  // -- visual search: camera button and lightbox ------------------------------------------

  const CAMERA_SVG = '<svg viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" aria-hidden="true">' +
    '<path d="M4 8h3l2-3h6l2 3h3v11H4z"/><circle cx="12" cy="13" r="3.5"/></svg>';

  function mountCameraButtons(lightbox) {
    const selector = settings.visualsearch_show_after;
    const after = selector && document.querySelector(selector);
    const slots = after ? [after] : [...document.querySelectorAll("[data-bridge-visual-search]")];
    for (const slot of slots) {
      const { host, root } = shadowHost();
      const button = h("button", { type: "button", class: "camera", "aria-label": "Search by photo", "aria-haspopup": "dialog" });
      button.innerHTML = CAMERA_SVG;
      button.addEventListener("click", () => lightbox.open(button));
      root.append(button);
      after ? after.after(host) : slot.append(host);
    }
  }

  function createLightbox() {
    const { host, root } = shadowHost();
    const state = { blob: null, box: { x: 0, y: 0, w: 1, h: 1 }, drag: null, seq: 0, opener: null, timer: 0 };
    const fileInput = h("input", { type: "file", accept: "image/*", class: "sr", tabindex: "-1", "aria-hidden": "true" });
    const cameraInput = h("input", { type: "file", accept: "image/*", capture: "environment", class: "sr", tabindex: "-1", "aria-hidden": "true" });
    const status = h("p", { class: "status", role: "status", "aria-live": "polite" });
    const grid = h("ul", { class: "grid", role: "list", "aria-label": "Matching products" });
    const preview = h("img", { alt: "Your photo" });
    const crop = h("div", { class: "crop", tabindex: "0", role: "group",
      "aria-label": "Search area. Drag to move, drag a corner to resize; arrow keys move it, Shift and arrows resize it." },
      ...["nw", "ne", "sw", "se"].map((corner) => h("span", { class: corner, "data-handle": corner })));
    const stage = h("div", { class: "stage", hidden: true }, preview, crop);
    const filters = createFilters(() => search());
    const drop = h("div", { class: "drop" },
      settings.visualsearch_image ? h("img", { src: settings.visualsearch_image, alt: "" }) : null,
      h("div", { text: "Drop a photo here, paste one, or" }),
      h("button", { type: "button", class: "pick", onclick: () => fileInput.click(), text: "Choose a photo" }),
      h("button", { type: "button", class: "pick alt", onclick: () => cameraInput.click(), text: "Take a photo" }));
    const close = h("button", { type: "button", class: "close", "aria-label": "Close", text: "×", onclick: () => hide() });
    const dialog = h("div", { class: "dialog", role: "dialog", "aria-modal": "true", "aria-labelledby": "bridge-vs-title" },
      h("div", { class: "head" }, h("h2", { id: "bridge-vs-title", text: "Search by photo" }), close),
      drop, fileInput, cameraInput,
      h("div", { class: "layout" }, stage, h("div", {}, filters.element, status, grid)));
    const backdrop = h("div", { class: "backdrop", hidden: true, onclick: (event) => event.target === backdrop && hide() }, dialog);
    root.append(backdrop);
    document.body.append(host);

    function open(opener) {
      state.opener = opener || document.activeElement;
      backdrop.hidden = false;
      document.addEventListener("paste", onPaste);
      (focusables(dialog)[1] || close).focus();
    }

    function hide() {
      backdrop.hidden = true;
      document.removeEventListener("paste", onPaste);
      if (state.opener && state.opener.focus) state.opener.focus();
    }

    function onPaste(event) {
      const file = [...(event.clipboardData || {}).files || []].find((f) => f.type.startsWith("image/"));
      if (file) { event.preventDefault(); load(file); }
    }

    async function load(file) {
      if (!file || !file.type.startsWith("image/")) { status.textContent = "That is not a photo."; return; }
      state.blob = await downscale(file, 1024);
      preview.src = URL.createObjectURL(state.blob);
      state.box = { x: 0, y: 0, w: 1, h: 1 };
      filters.reset();
      stage.hidden = false;
      draw();
      search();
    }

    function draw() {
      const { x, y, w, h: height } = state.box;
      Object.assign(crop.style, { left: `${x * 100}%`, top: `${y * 100}%`, width: `${w * 100}%`, height: `${height * 100}%` });
    }

    async function search() {
      if (!state.blob) return;
      const form = new FormData();
      form.append("image", state.blob, "photo.jpg");
      const { x, y, w, h: height } = state.box;
      for (const [name, value] of Object.entries({ x, y, width: w, height, limit: 24, ...shopper, ...filters.values() })) {
        form.append(name, String(value));
      }
      const mine = ++state.seq;
      status.textContent = "Searching…";
      try {
        const found = await api("/v1/search/crop/upload", { method: "POST", form });
        if (mine !== state.seq) return; // a newer crop or filter already asked
        const products = found.results.map(normal);
        grid.replaceChildren(...products.map((p) => h("li", {}, card(p, found.query_id))));
        filters.learn(found.results);
        status.textContent = products.length ? `${products.length} matching products` : "No matching products.";
      } catch (error) {
        if (mine === state.seq) status.textContent = `Search failed: ${error.message}`;
      }
    }

    function later() {
      clearTimeout(state.timer);
      state.timer = setTimeout(search, 250);
    }

    crop.addEventListener("pointerdown", (event) => {
      state.drag = { x: event.clientX, y: event.clientY, box: { ...state.box }, mode: event.target.dataset.handle || "move" };
      crop.setPointerCapture(event.pointerId);
      event.preventDefault();
    });
    crop.addEventListener("pointermove", (event) => {
      if (!state.drag) return;
      const rect = preview.getBoundingClientRect();
      const { drag } = state;
      state.box = resized(drag.box, drag.mode, (event.clientX - drag.x) / rect.width, (event.clientY - drag.y) / rect.height);
      draw();
    });
    const release = () => { if (state.drag) { state.drag = null; search(); } };
    crop.addEventListener("pointerup", release);
    crop.addEventListener("pointercancel", release);
    crop.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[event.key];
      if (!moves) return;
      event.preventDefault();
      state.box = resized(state.box, event.shiftKey ? "se" : "move", moves[0] * 0.05, moves[1] * 0.05);
      draw();
      later();
    });
    for (const input of [fileInput, cameraInput]) input.addEventListener("change", () => load(input.files[0]));
    dialog.addEventListener("dragover", (event) => { event.preventDefault(); drop.classList.add("over"); });
    dialog.addEventListener("dragleave", () => drop.classList.remove("over"));
    dialog.addEventListener("drop", (event) => {
      event.preventDefault();
      drop.classList.remove("over");
      load((event.dataTransfer.files || [])[0]);
    });
    dialog.addEventListener("keydown", (event) => {
      if (event.key === "Escape") { event.preventDefault(); hide(); }
      if (event.key !== "Tab") return;
      const items = focusables(dialog);
      const index = items.indexOf(root.activeElement);
      const next = event.shiftKey ? (index <= 0 ? items.length - 1 : index - 1) : (index + 1) % items.length;
      event.preventDefault();
      items[next].focus();
    });
    return { open, load };
  }

  /** The crop box after dragging ``mode`` (move, or a corner such as "nw") by (dx, dy) in fractions. */
  function resized(box, mode, dx, dy) {
    if (mode === "move") return { ...box, x: clamp(box.x + dx, 0, 1 - box.w), y: clamp(box.y + dy, 0, 1 - box.h) };
    let [left, top, right, bottom] = [box.x, box.y, box.x + box.w, box.y + box.h];
    if (mode.includes("w")) left = clamp(left + dx, 0, right - MIN_BOX);
    if (mode.includes("e")) right = clamp(right + dx, left + MIN_BOX, 1);
    if (mode.includes("n")) top = clamp(top + dy, 0, bottom - MIN_BOX);
    if (mode.includes("s")) bottom = clamp(bottom + dy, top + MIN_BOX, 1);
    return { x: left, y: top, w: right - left, h: bottom - top };
  }

  /** The lightbox filters the settings enable; their choices come from the photo's own matches. */
  function createFilters(onChange) {
    const fields = [
      ["gender", "Gender", settings.visualsearch_displaygenderfilter, (m) => m.gender],
      ["category", "Category", settings.visualsearch_displaycategoryfilter, (m) => m.category],
      ["brand", "Brand", settings.visualsearch_displaybrandfilter, (m) => m.brand],
    ].filter((field) => field[2]);
    const selects = {};
    const element = h("div", { class: "filters", hidden: true });
    for (const [name, label] of fields) {
      selects[name] = h("select", { name, onchange: onChange }, h("option", { value: "", text: "All" }));
      element.append(h("label", {}, label, selects[name]));
    }
    const prices = {};
    if (settings.visualsearch_displaypricefilter) {
      for (const [name, label] of [["price_min", "Price from"], ["price_max", "Price to"]]) {
        prices[name] = h("input", { type: "number", min: "0", step: "1", name, inputmode: "decimal", onchange: onChange });
        element.append(h("label", {}, label, prices[name]));
      }
    }
    function values() {
      const chosen = {};
      for (const [name, input] of Object.entries(prices)) if (input.value !== "") chosen[name] = input.value;
      if (selects.category && selects.category.value) chosen.category = selects.category.value;
      const where = {};
      if (selects.brand && selects.brand.value) where.brand_name = selects.brand.value;
      if (selects.gender && selects.gender.value) where.gender = selects.gender.value;
      if (Object.keys(where).length) chosen.filters = JSON.stringify(where);
      return chosen;
    }
    function learn(results) {
      element.hidden = !fields.length && !Object.keys(prices).length;
      for (const [name, , , read] of fields) {
        const select = selects[name];
        const known = new Set([...select.options].map((option) => option.value));
        for (const result of results) {
          const value = read(result.metadata || {});
          if (value && !known.has(value)) { known.add(value); select.append(h("option", { value, text: value })); }
        }
      }
    }
    function reset() {
      for (const select of Object.values(selects)) select.replaceChildren(h("option", { value: "", text: "All" }));
      for (const input of Object.values(prices)) input.value = "";
    }
    return { element, values, learn, reset };
  }

  async function downscale(file, side) {
    const image = await createImageBitmap(file).catch(() => null);
    if (!image || Math.max(image.width, image.height) <= side) return file;
    const scale = side / Math.max(image.width, image.height);
    const canvas = h("canvas", { width: Math.round(image.width * scale), height: Math.round(image.height * scale) });
    canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
    return new Promise((resolve) => canvas.toBlob((blob) => resolve(blob || file), "image/jpeg", 0.9));
  }

  // -- search-as-you-type -----------------------------------------------------------------

  function bindSearchBoxes() {
    const selector = settings.semanticsearch_bind;
    const bound = selector ? document.querySelectorAll(selector) : document.querySelectorAll("[data-bridge-search]");
    for (const element of bound) {
      const input = element.matches("input") ? element : element.querySelector("input");
      if (input) suggestFor(input);
    }
  }

  function suggestFor(input) {
    const { host, root } = shadowHost();
    host.style.cssText = "position:absolute;z-index:2147482000";
    const list = h("div", { class: "suggest", role: "listbox", "aria-label": "Suggestions", hidden: true });
    const live = h("div", { class: "sr", role: "status", "aria-live": "polite" });
    root.append(list, live);
    document.body.append(host);
    let options = [], active = -1, seq = 0, timer = 0;
    Object.entries({ role: "combobox", "aria-autocomplete": "list", "aria-expanded": "false", autocomplete: "off" })
      .forEach(([name, value]) => input.setAttribute(name, value));

    async function ask() {
      const q = input.value.trim();
      if (!q) return shut();
      const mine = ++seq;
      const found = await api(`/v1/search/suggest?q=${encodeURIComponent(q)}&limit=6`).catch(() => null);
      if (mine === seq && found) show(found);
    }

    function show(found) {
      const products = found.products.map((p) => ({ kind: "product", product: normal(p), text: p.name || p.product_id }));
      const shown = new Set(products.map((option) => option.text));
      const suggestions = found.suggestions.filter((s) => !(s.kind === "product" && shown.has(s.text)))
        .map((s) => ({ kind: s.kind, text: s.text, spans: s.highlight }));
      options = [...suggestions, ...products]; // a product with its photo is not listed twice
      active = -1;
      list.replaceChildren(...options.map(optionElement));
      if (!options.length) return shut();
      const rect = input.getBoundingClientRect();
      const width = Math.min(Math.max(rect.width, 300), document.documentElement.clientWidth - rect.left - 8);
      Object.assign(host.style, { left: `${rect.left + scrollX}px`, top: `${rect.bottom + scrollY + 4}px`, width: `${width}px` });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      live.textContent = `${options.length} suggestions; use the up and down arrows to choose.`;
    }

    function optionElement(option, index) {
      const element = h("div", { class: "opt", role: "option", "aria-selected": "false", id: `bridge-opt-${index}`,
        onmousedown: (event) => event.preventDefault(), onclick: () => choose(option) });
      if (option.product) {
        element.append(option.product.image ? h("img", { src: option.product.image, alt: "" }) : "",
          h("span", { text: option.text }), h("span", { class: "kind", text: price(option.product.price) }));
      } else {
        element.append(h("span", {}, ...highlighted(option.text, option.spans)), h("span", { class: "kind", text: option.kind }));
      }
      return element;
    }

    function move(step) {
      if (!options.length) return;
      active = (active + step + options.length) % options.length;
      [...list.children].forEach((el, index) => el.setAttribute("aria-selected", String(index === active)));
      list.children[active].scrollIntoView({ block: "nearest" });
      live.textContent = options[active].text;
    }

    function choose(option) {
      shut();
      if (option.product) {
        track("click", option.product.id);
        if (option.product.url) location.assign(option.product.url);
        return;
      }
      input.value = option.text;
      input.dispatchEvent(new CustomEvent("bridge:suggestion", { bubbles: true, detail: { text: option.text, kind: option.kind } }));
      if (input.form && input.form.requestSubmit) input.form.requestSubmit();
    }

    function shut() {
      seq++;
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }

    input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(ask, 120); });
    input.addEventListener("blur", () => setTimeout(shut, 150));
    input.addEventListener("keydown", (event) => {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        shut();
      }
    });
  }

  /** Text with the matched [start, end) spans in <mark>, built as nodes (never as HTML). */
  function highlighted(text, spans) {
    const parts = [];
    let at = 0;
    for (const [start, end] of spans || []) {
      if (start > at) parts.push(text.slice(at, start));
      parts.push(h("mark", { text: text.slice(start, end) }));
      at = end;
    }
    parts.push(text.slice(at));
    return parts;
  }

  // -- start ------------------------------------------------------------------------------

  const domReady = new Promise((resolve) =>
    document.readyState === "loading" ? document.addEventListener("DOMContentLoaded", resolve) : resolve());

  const ready = (async () => {
    if (!KEY) throw new Error('add data-key="pk_…" to the script tag');
    settings = await api("/v1/website/settings");
    await domReady;
    const named = document.querySelector("[data-bridge-product]");
    if (named && !pageProduct) product(named.getAttribute("data-bridge-product"));
    let lightbox = null;
    if (settings.has_visualsearch) {
      lightbox = createLightbox();
      mountCameraButtons(lightbox);
    }
    if (settings.has_semanticsearch) bindSearchBoxes();
    SECTIONS.forEach(mountSection);
    started = true;
    window.Bridge.openVisualSearch = (opener) => lightbox && lightbox.open(opener);
    document.dispatchEvent(new CustomEvent("bridge:ready"));
  })().catch((error) => {
    console.warn(`Bridge widgets are off: ${error.message}`);
    document.dispatchEvent(new CustomEvent("bridge:error", { detail: { message: error.message } }));
  });

  window.Bridge = { ready, track, identify, product, shopper, openVisualSearch: () => null };
})();
