/*!
 * OpenIDV capture-session collector, schema version 1 (telemetry-1.schema.json).
 * Dependency-free; Apache-2.0. Collects device/browser attributes and interaction timings.
 * Never records key values, field contents, pasted text or page content: keys are reduced to a
 * class ("char", "delete", ...), fields to their element name or id.
 *
 *   const c = OpenIDVCollector.start();      // as early as possible on the capture page
 *   c.step("document");                      // when the flow changes step
 *   const telemetry = await c.finish();      // JSON to send as the session's `telemetry`
 */
(function (root) {
  "use strict";
  var VERSION = "1.0.0";
  var MAX_EVENTS = 20000;
  var FONT_PROBES = [
    "Arial", "Arial Black", "Calibri", "Cambria", "Candara", "Comic Sans MS", "Consolas", "Constantia",
    "Corbel", "Courier New", "DejaVu Sans", "DejaVu Serif", "Droid Sans", "Franklin Gothic Medium",
    "Futura", "Garamond", "Geneva", "Georgia", "Gill Sans", "Helvetica", "Helvetica Neue", "Impact",
    "Liberation Mono", "Liberation Sans", "Lucida Console", "Lucida Grande", "Menlo", "Monaco",
    "Noto Sans", "Noto Serif", "Optima", "Palatino", "Roboto", "Segoe UI", "SF Pro Text", "Tahoma",
    "Times New Roman", "Trebuchet MS", "Ubuntu", "Verdana"
  ];
  var DRIVER_GLOBALS = /^(\$cdc_|\$wdc_|__webdriver|__selenium|__driver|__fxdriver|_selenium|_phantom|callPhantom|__nightmare|domAutomation|_Selenium_IDE|webdriver)/;

  function now() { return Math.round(performance.now() * 10) / 10; }
  function trunc(s, n) { return typeof s === "string" ? s.slice(0, n) : undefined; }
  function safe(fn, fallback) { try { return fn(); } catch (e) { return fallback; } }

  // FNV-1a 32-bit, twice with different seeds -> 16 hex chars; enough to tell renderings apart.
  function hash(str) {
    var h1 = 0x811c9dc5, h2 = 0x01000193 ^ 0x5bd1e995, i, c;
    for (i = 0; i < str.length; i++) {
      c = str.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
      h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
    }
    return ("0000000" + h1.toString(16)).slice(-8) + ("0000000" + h2.toString(16)).slice(-8);
  }

  function randomId() {
    var a = new Uint8Array(16), s = "", i;
    (root.crypto || {}).getRandomValues ? root.crypto.getRandomValues(a) : a.forEach(function (_, j) { a[j] = Math.random() * 256; });
    for (i = 0; i < a.length; i++) s += ("0" + a[i].toString(16)).slice(-2);
    return s;
  }

  function keyClass(key) {
    if (!key) return "other";
    if (key === " ") return "space";
    if (key.length === 1) return "char";
    if (key === "Backspace" || key === "Delete") return "delete";
    if (key === "Enter") return "enter";
    if (key === "Tab") return "tab";
    if (/^(Shift|Control|Alt|Meta|CapsLock|AltGraph)$/.test(key)) return "modifier";
    if (/^(Arrow|Home|End|Page)/.test(key)) return "nav";
    return "other";
  }

  function fieldName(target) {
    if (!target || target === root || target === root.document) return undefined;
    return trunc(target.name || target.id || (target.tagName || "").toLowerCase(), 64) || undefined;
  }

  function pointerType(e) {
    var t = e.pointerType;
    return t === "touch" || t === "pen" ? t : "mouse";
  }

  // ---------------------------------------------------------------- device attributes
  function webgl() {
    var out = {};
    safe(function () {
      var canvas = root.document.createElement("canvas");
      var gl = canvas.getContext("webgl") || canvas.getContext("experimental-webgl");
      if (!gl) return;
      out.vendor = trunc(String(gl.getParameter(gl.VENDOR)), 256);
      out.renderer = trunc(String(gl.getParameter(gl.RENDERER)), 256);
      out.version = trunc(String(gl.getParameter(gl.VERSION)), 256);
      var dbg = gl.getExtension("WEBGL_debug_renderer_info");
      if (dbg) {
        out.unmasked_vendor = trunc(String(gl.getParameter(dbg.UNMASKED_VENDOR_WEBGL)), 256);
        out.unmasked_renderer = trunc(String(gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL)), 256);
      }
    });
    return out;
  }

  function canvasHash() {
    return safe(function () {
      var c = root.document.createElement("canvas");
      c.width = 240; c.height = 60;
      var ctx = c.getContext("2d");
      ctx.textBaseline = "top";
      ctx.font = "16px 'Arial'";
      ctx.fillStyle = "#f60"; ctx.fillRect(100, 1, 62, 20);
      ctx.fillStyle = "#069"; ctx.fillText("OpenIDV \u2764 \u00e9\u00df 1.0", 2, 15);
      ctx.fillStyle = "rgba(102, 204, 0, 0.7)"; ctx.fillText("OpenIDV \u2764 \u00e9\u00df 1.0", 4, 17);
      ctx.beginPath(); ctx.arc(50, 30, 20, 0, Math.PI * 2); ctx.stroke();
      return hash(c.toDataURL());
    }, undefined);
  }

  function audioHash() {
    var Ctx = root.OfflineAudioContext || root.webkitOfflineAudioContext;
    if (!Ctx) return Promise.resolve(undefined);
    return new Promise(function (resolve) {
      try {
        var ctx = new Ctx(1, 5000, 44100);
        var osc = ctx.createOscillator();
        osc.type = "triangle"; osc.frequency.value = 10000;
        var comp = ctx.createDynamicsCompressor();
        comp.threshold.value = -50; comp.knee.value = 40; comp.ratio.value = 12;
        osc.connect(comp); comp.connect(ctx.destination); osc.start(0);
        var timer = setTimeout(function () { resolve(undefined); }, 1000);
        ctx.startRendering().then(function (buf) {
          clearTimeout(timer);
          var data = buf.getChannelData(0), acc = "", i;
          for (i = 4500; i < 5000; i += 5) acc += data[i].toFixed(6);
          resolve(hash(acc));
        }, function () { clearTimeout(timer); resolve(undefined); });
      } catch (e) { resolve(undefined); }
    });
  }

  function fonts() {
    return safe(function () {
      var span = root.document.createElement("span"), base = {}, found = [], bases = ["monospace", "serif", "sans-serif"];
      span.style.cssText = "position:absolute;left:-9999px;font-size:72px;visibility:hidden";
      span.textContent = "mmmmmmmmmwwwwwwlli1O0";
      root.document.body.appendChild(span);
      bases.forEach(function (b) { span.style.fontFamily = b; base[b] = span.offsetWidth + "x" + span.offsetHeight; });
      FONT_PROBES.forEach(function (f) {
        for (var i = 0; i < bases.length; i++) {
          span.style.fontFamily = "'" + f + "'," + bases[i];
          if (span.offsetWidth + "x" + span.offsetHeight !== base[bases[i]]) { found.push(f); break; }
        }
      });
      root.document.body.removeChild(span);
      return found;
    }, []);
  }

  function permissions() {
    var names = ["notifications", "camera", "microphone", "geolocation"], out = {};
    if (!navigator.permissions || !navigator.permissions.query) {
      names.forEach(function (n) { out[n] = "unsupported"; });
      return Promise.resolve(out);
    }
    return Promise.all(names.map(function (n) {
      return navigator.permissions.query({ name: n }).then(
        function (s) { out[n] = s.state; }, function () { out[n] = "unsupported"; });
    })).then(function () { return out; });
  }

  function clientHints() {
    var d = navigator.userAgentData;
    if (!d) return Promise.resolve(undefined);
    var out = {
      brands: (d.brands || []).slice(0, 16).map(function (b) { return { brand: trunc(b.brand, 64), version: trunc(b.version, 64) }; }),
      mobile: !!d.mobile, platform: trunc(d.platform, 256)
    };
    if (!d.getHighEntropyValues) return Promise.resolve(out);
    return d.getHighEntropyValues(["platformVersion", "architecture", "bitness", "model", "fullVersionList"]).then(function (h) {
      if (h.platformVersion !== undefined) out.platform_version = trunc(h.platformVersion, 256);
      if (h.architecture !== undefined) out.architecture = trunc(h.architecture, 256);
      if (h.bitness !== undefined) out.bitness = trunc(h.bitness, 256);
      if (h.model !== undefined) out.model = trunc(h.model, 256);
      if (h.fullVersionList) out.full_version_list = h.fullVersionList.slice(0, 16).map(function (b) { return { brand: trunc(b.brand, 64), version: trunc(b.version, 64) }; });
      return out;
    }, function () { return out; });
  }

  // A DevTools-protocol client with the Runtime domain enabled serialises console arguments,
  // which reads an Error's `stack`; a plain browser never touches it.
  function cdpRuntime() {
    return safe(function () {
      var seen = false, e = new Error("");
      Object.defineProperty(e, "stack", { configurable: false, enumerable: false, get: function () { seen = true; return ""; } });
      console.debug(e);
      return seen;
    }, false);
  }

  function automation() {
    var globals = [];
    safe(function () {
      [root, root.document].forEach(function (o) {
        Object.getOwnPropertyNames(o).forEach(function (k) { if (DRIVER_GLOBALS.test(k) && globals.length < 32) globals.push(trunc(k, 64)); });
      });
    });
    return {
      webdriver: navigator.webdriver === true,
      headless_ua: /HeadlessChrome/.test(navigator.userAgent),
      chrome_object: typeof root.chrome === "object" && root.chrome !== null,
      driver_globals: globals,
      cdp_runtime: cdpRuntime()
    };
  }

  function storageId() {
    return safe(function () {
      var id = root.localStorage.getItem("openidv_did");
      if (!id || !/^[0-9a-f]{16,64}$/.test(id)) { id = randomId(); root.localStorage.setItem("openidv_did", id); }
      return id;
    }, undefined);
  }

  function prune(o) {
    Object.keys(o).forEach(function (k) { if (o[k] === undefined || o[k] === null || (typeof o[k] === "number" && !isFinite(o[k]))) delete o[k]; });
    return o;
  }

  function device() {
    var s = root.screen || {}, n = navigator, intl = safe(function () { return Intl.DateTimeFormat().resolvedOptions(); }, {});
    var dev = prune({
      user_agent: trunc(n.userAgent, 512),
      platform: trunc(n.platform, 256),
      vendor: trunc(n.vendor, 256),
      screen: prune({
        width: s.width, height: s.height, avail_width: s.availWidth, avail_height: s.availHeight,
        color_depth: s.colorDepth, pixel_ratio: root.devicePixelRatio,
        orientation: trunc(safe(function () { return s.orientation.type; }, undefined), 256)
      }),
      viewport: prune({ width: root.innerWidth, height: root.innerHeight, outer_width: root.outerWidth, outer_height: root.outerHeight }),
      timezone: trunc(intl.timeZone, 64),
      timezone_offset_min: -new Date().getTimezoneOffset(),
      locale: trunc(intl.locale, 35),
      languages: (n.languages || []).slice(0, 32).map(function (l) { return trunc(l, 35); }),
      hardware_concurrency: n.hardwareConcurrency,
      device_memory: n.deviceMemory,
      max_touch_points: n.maxTouchPoints,
      touch_events: "ontouchstart" in root,
      webgl: webgl(),
      canvas_hash: canvasHash(),
      fonts: fonts(),
      plugins_count: safe(function () { return n.plugins.length; }, undefined),
      mime_types_count: safe(function () { return n.mimeTypes.length; }, undefined),
      cookies_enabled: n.cookieEnabled,
      pdf_viewer: typeof n.pdfViewerEnabled === "boolean" ? n.pdfViewerEnabled : undefined,
      storage_id: storageId(),
      notification_permission: typeof root.Notification === "function" ? root.Notification.permission : "unsupported",
      automation: automation()
    });
    return Promise.all([clientHints(), audioHash(), permissions()]).then(function (r) {
      if (r[0]) dev.client_hints = r[0];
      if (r[1]) dev.audio_hash = r[1];
      dev.permissions = r[2];
      return dev;
    });
  }

  function network() {
    var c = navigator.connection;
    if (!c) return {};
    return { connection: prune({ effective_type: trunc(c.effectiveType, 16), rtt: c.rtt, downlink: c.downlink, save_data: c.saveData }) };
  }

  // ---------------------------------------------------------------- interaction events
  function Collector(options) {
    options = options || {};
    this.maxEvents = options.maxEvents || MAX_EVENTS;
    this.events = [];
    this.truncated = false;
    this.startedAt = Date.now();
    this.t0 = now();
    this.keysDown = {};
    this.listeners = [];
    this.devicePromise = null;
  }

  Collector.prototype.push = function (ev, e) {
    if (this.events.length >= this.maxEvents) { this.truncated = true; return; }
    ev.ts = Math.max(0, Math.round((now() - this.t0) * 10) / 10);
    if (e && e.isTrusted === false) ev.trusted = false;
    this.events.push(ev);
  };

  Collector.prototype.on = function (target, name, fn) {
    var self = this, h = function (e) { try { fn.call(self, e); } catch (err) { /* never break the host page */ } };
    target.addEventListener(name, h, { capture: true, passive: true });
    this.listeners.push([target, name, h]);
  };

  Collector.prototype.attach = function () {
    var d = root.document;
    this.on(d, "pointermove", function (e) {
      var ev = { type: "move", x: Math.round(e.clientX), y: Math.round(e.clientY) }, pt = pointerType(e);
      if (pt !== "mouse") { ev.pointer = pt; if (e.pressure) ev.pressure = Math.min(1, e.pressure); }
      if (e.buttons) ev.buttons = e.buttons;
      this.push(ev, e);
    });
    this.on(d, "pointerdown", function (e) { this.button("down", e); });
    this.on(d, "pointerup", function (e) { this.button("up", e); });
    this.on(d, "wheel", function (e) { this.push({ type: "wheel", dx: Math.round(e.deltaX), dy: Math.round(e.deltaY) }, e); });
    this.on(d, "keydown", function (e) {
      var id = e.code || e.key;
      if (e.repeat || this.keysDown[id]) return;
      this.keysDown[id] = { t: now(), cls: keyClass(e.key), field: fieldName(e.target), trusted: e.isTrusted };
    });
    this.on(d, "keyup", function (e) {
      var id = e.code || e.key, k = this.keysDown[id];
      if (!k) return;
      delete this.keysDown[id];
      var ev = { type: "key", "class": k.cls, dwell: Math.round((now() - k.t) * 10) / 10 };
      if (k.field) ev.field = k.field;
      this.push(ev, { isTrusted: k.trusted && e.isTrusted });
      ev.ts = Math.max(0, Math.round((k.t - this.t0) * 10) / 10);
    });
    this.on(d, "focusin", function (e) { this.field("focus", e); });
    this.on(d, "focusout", function (e) { this.field("blur", e); });
    this.on(d, "paste", function (e) {
      var text = safe(function () { return e.clipboardData.getData("text"); }, "");
      var ev = { type: "paste", length: (text || "").length };
      if (fieldName(e.target)) ev.field = fieldName(e.target);
      this.push(ev, e);
    });
    this.on(d, "visibilitychange", function () { this.push({ type: "visibility", state: d.visibilityState === "hidden" ? "hidden" : "visible" }); });
    this.on(root, "resize", function () { this.push({ type: "resize", width: root.innerWidth, height: root.innerHeight }); });
    return this;
  };

  Collector.prototype.button = function (type, e) {
    var ev = { type: type, x: Math.round(e.clientX), y: Math.round(e.clientY), button: e.button }, pt = pointerType(e);
    if (pt !== "mouse") ev.pointer = pt;
    this.push(ev, e);
  };

  Collector.prototype.field = function (type, e) {
    var ev = { type: type };
    if (fieldName(e.target)) ev.field = fieldName(e.target);
    this.push(ev, e);
  };

  /** Mark the start of a flow step ("document", "selfie", "form", ...). */
  Collector.prototype.step = function (name) { this.push({ type: "step", name: trunc(String(name), 64) }); };

  /** Start collecting device attributes now (they take a few milliseconds, partly async). */
  Collector.prototype.device = function () {
    if (!this.devicePromise) this.devicePromise = device();
    return this.devicePromise;
  };

  /** Stop listening and resolve to the telemetry payload (schema version 1). */
  Collector.prototype.finish = function () {
    var self = this;
    this.listeners.forEach(function (l) { l[0].removeEventListener(l[1], l[2], { capture: true }); });
    this.listeners = [];
    return this.device().then(function (dev) {
      self.events.sort(function (a, b) { return a.ts - b.ts; });
      return {
        version: "1",
        collector: { name: "openidv-collector.js", version: VERSION, started_at: self.startedAt },
        duration_ms: Math.round((now() - self.t0) * 10) / 10,
        truncated: self.truncated,
        device: dev,
        network: network(),
        events: self.events
      };
    });
  };

  root.OpenIDVCollector = {
    version: VERSION,
    start: function (options) {
      var c = new Collector(options).attach();
      if (root.document.body) c.device(); // else at finish(): font probing needs a body
      return c;
    },
    hash: hash
  };
})(typeof window !== "undefined" ? window : this);
