// Wangge field screens (网格员手机端, /field/…): forms saved on the phone and sent when the
// network allows (outbox), patrol tracks, the service worker. Plain ES2017, no modules.
//
// DOM contract (templates and browser tests rely on it):
//   form[data-api="/api/v1/…"]   sent by script as JSON; optional data-label, data-locate,
//                                data-done="/field/visits/{id}", data-photo-max-px (0 = as taken);
//                                inputs: data-type="number", checkboxes → boolean,
//                                input[type=file][name=photos] → "photos": [references];
//                                name="csrf" and [data-skip] are never sent; .form-status inside.
//   .queue-status[hidden]        the bar of what waits on the phone (content written here).
//   [data-queue-count]           number of forms waiting to be sent.
//   #patrol[data-patrol-id][data-interval-ms]  button.patrol-start, button.patrol-stop,
//                                .patrol-status, .patrol-stats [data-stat=points|minutes|
//                                distance|inside], .refused, .patrol-notes; data-state is set.
//   #patrol[data-state]          idle | starting (start not answered yet) | running | stopping.
//   svg.track-map[data-proj="lng0 lat0 sx sy h pad"]  polyline.track and circle.here drawn.
//   body[data-account]           optional: what one account saved is never sent under another.
//   Events on document: field:queued, field:sent, field:refused, field:patrol.
(function () {
  "use strict";

  var DB_NAME = "wangge-field";
  var STORE = "outbox";
  var PATROL_KEY = "wangge-patrol";
  var POINTS_KEY = "wangge-patrol-points";
  var RETRY_EVERY_MS = 20000;
  // How long the last fix of a phone at rest stands in for new ones (10 minutes).
  var STILL_FOR_MS = 10 * 60000;
  var JSON_TIMEOUT_MS = 30000;
  var UPLOAD_TIMEOUT_MS = 180000;
  var MAX_BATCH = 500;
  var PHOTO_MAX_PX = 1600;
  var PHOTO_SHRINK_OVER_BYTES = 1024 * 1024;

  function all(sel, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(sel));
  }

  function noop() {}

  function emit(name, detail) {
    try {
      document.dispatchEvent(new CustomEvent(name, { detail: detail }));
    } catch (e) { /* very old browsers: no CustomEvent constructor */ }
  }

  // An idempotency key: ASCII, well under 100 characters, made once per write.
  function randomKey(prefix) {
    var bytes = new Uint8Array(12);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    var s = prefix + "-" + Date.now().toString(36) + "-";
    for (var j = 0; j < bytes.length; j++) s += (bytes[j] < 16 ? "0" : "") + bytes[j].toString(16);
    return s;
  }

  function timeText(ms) {
    var d = new Date(ms);
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }

  // ---------------------------------------------------------------------------------------
  // The outbox: IndexedDB `wangge-field`/`outbox`, or memory when IndexedDB is unavailable.

  var memory = {};
  var memoryOnly = false;
  var dbPromise = null;

  function openDb() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve) {
      var req = null;
      try {
        if (window.indexedDB) req = window.indexedDB.open(DB_NAME, 1);
      } catch (e) { req = null; }
      if (!req) { resolve(null); return; }
      req.onupgradeneeded = function () {
        var db = req.result;
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "id" });
      };
      req.onsuccess = function () {
        var db = req.result;
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      req.onerror = function () { resolve(null); };
    });
    return dbPromise;
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      if (!db) throw new Error("no indexeddb");
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var req = work(t.objectStore(STORE));
        t.oncomplete = function () { resolve(req ? req.result : undefined); };
        t.onerror = function () { reject(t.error || new Error("indexeddb")); };
        t.onabort = function () { reject(t.error || new Error("indexeddb")); };
      });
    });
  }

  // Older Safari cannot keep Blobs in IndexedDB: keep their bytes instead.
  function blobsToBuffers(item) {
    return Promise.all(item.files.map(function (f) {
      if (!f || !(f instanceof Blob)) return f;
      return new Response(f).arrayBuffer().then(function (buf) {
        return { data: buf, type: f.type, name: f.name || "" };
      });
    })).then(function (files) {
      var copy = Object.assign({}, item);
      copy.files = files;
      return copy;
    });
  }

  function asBlob(f) {
    if (!f) return null;
    if (f instanceof Blob) return f;
    return new Blob([f.data], { type: f.type || "application/octet-stream" });
  }

  var outbox = {
    all: function () {
      var mem = Object.keys(memory).map(function (k) { return memory[k]; });
      return tx("readonly", function (s) { return s.getAll(); })
        .catch(function () { return []; })
        .then(function (stored) {
          return (stored || []).concat(mem).sort(function (a, b) {
            return a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
          });
        });
    },
    put: function (item) {
      if (memory[item.id]) { memory[item.id] = item; return Promise.resolve(); }
      return tx("readwrite", function (s) { return s.put(item); })
        .catch(function (e) {
          if (e && e.name === "DataCloneError") {
            return blobsToBuffers(item).then(function (copy) {
              return tx("readwrite", function (s) { return s.put(copy); });
            });
          }
          throw e;
        })
        .catch(function () {
          memoryOnly = true;
          memory[item.id] = item;
        });
    },
    get: function (id) {
      if (memory[id]) return Promise.resolve(memory[id]);
      return tx("readonly", function (s) { return s.get(id); }).catch(function () { return null; });
    },
    del: function (id) {
      if (memory[id]) { delete memory[id]; return Promise.resolve(); }
      return tx("readwrite", function (s) { return s.delete(id); }).catch(noop);
    },
  };

  // ---------------------------------------------------------------------------------------
  // Reading a form into the JSON body of its API request.

  function convert(el, value) {
    if (el.getAttribute("data-type") === "number") {
      var v = String(value).trim().replace(/，|,/g, ".");
      if (v === "") return null;
      var n = Number(v);
      return isFinite(n) ? n : null;
    }
    return value;
  }

  function readForm(form) {
    var body = {};
    var files = [];
    var hasPhotos = false;
    Array.prototype.slice.call(form.elements).forEach(function (el) {
      var tag = el.tagName;
      if (tag !== "INPUT" && tag !== "SELECT" && tag !== "TEXTAREA") return;
      var name = el.name;
      if (!name || el.disabled || name === "csrf" || el.hasAttribute("data-skip")) return;
      var type = (el.type || "").toLowerCase();
      if (type === "submit" || type === "button" || type === "reset" || type === "image") return;
      if (type === "file") {
        if (name === "photos") {
          hasPhotos = true;
          files = files.concat(Array.prototype.slice.call(el.files || []));
        }
        return;
      }
      if (type === "checkbox") { body[name] = el.checked; return; }
      if (type === "radio") {
        if (el.checked) body[name] = convert(el, el.value);
        else if (!(name in body)) body[name] = convert(el, "");
        return;
      }
      body[name] = convert(el, el.value);
    });
    if (hasPhotos) body.photos = [];
    return { body: body, files: files, hasPhotos: hasPhotos };
  }

  // Big photos are scaled down on the phone (longest side PHOTO_MAX_PX, JPEG): a bad network
  // carries 300 KB where it would give up on 5 MB. Anything going wrong keeps the original.
  function shrinkPhoto(file, maxPx) {
    if (!maxPx || !file || file.size <= PHOTO_SHRINK_OVER_BYTES) return Promise.resolve(file);
    if (!/^image\/(jpeg|png|webp)$/.test(file.type) || !window.URL || !URL.createObjectURL) {
      return Promise.resolve(file);
    }
    return new Promise(function (resolve) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      var settled = false;
      function done(result) {
        if (settled) return;
        settled = true;
        URL.revokeObjectURL(url);
        resolve(result && result.size < file.size ? result : file);
      }
      var timer = setTimeout(function () { done(null); }, 15000);
      img.onerror = function () { clearTimeout(timer); done(null); };
      img.onload = function () {
        try {
          var w = img.naturalWidth;
          var h = img.naturalHeight;
          var scale = Math.min(1, maxPx / Math.max(w, h));
          var canvas = document.createElement("canvas");
          canvas.width = Math.max(1, Math.round(w * scale));
          canvas.height = Math.max(1, Math.round(h * scale));
          var ctx = canvas.getContext("2d");
          ctx.fillStyle = "#fff";
          ctx.fillRect(0, 0, canvas.width, canvas.height);
          ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
          canvas.toBlob(function (blob) { clearTimeout(timer); done(blob); }, "image/jpeg", 0.85);
        } catch (e) {
          clearTimeout(timer);
          done(null);
        }
      };
      img.src = url;
    });
  }

  function currentPosition() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      var settled = false;
      function done(p) { if (!settled) { settled = true; resolve(p); } }
      // Without an answer to the permission prompt neither callback ever runs.
      var timer = setTimeout(function () { done(null); }, 15000);
      try {
        navigator.geolocation.getCurrentPosition(function (pos) {
          clearTimeout(timer);
          done(pos);
        }, function () {
          clearTimeout(timer);
          done(null);
        }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
      } catch (e) {
        clearTimeout(timer);
        done(null);
      }
    });
  }

  function formStatus(form, text, kind, link) {
    if (!form) return;
    var box = form.querySelector(".form-status");
    if (!box) return;
    box.textContent = text;
    box.className = "form-status" + (kind ? " " + kind : "");
    if (link) {
      box.appendChild(document.createTextNode(" "));
      var a = document.createElement("a");
      a.href = link;
      a.textContent = "查看";
      box.appendChild(a);
    }
  }

  function formOf(item) {
    var form = item.form ? document.getElementById(item.form) : null;
    if (form && form.tagName === "FORM") return form;
    return all("form[data-api]").filter(function (f) {
      return f.getAttribute("data-api") === item.url;
    })[0] || null;
  }

  var locatingNow = {};

  // The signed-in account, when the page names it (<body data-account="…">): what one
  // account saved on a shared phone is never sent under another's session.
  function account() {
    return (document.body && document.body.getAttribute("data-account")) || "";
  }

  function foreign(item) {
    return !!(item.account && account() && item.account !== account());
  }

  async function onSubmit(ev) {
    var form = ev.target;
    if (!form || form.tagName !== "FORM" || !form.hasAttribute("data-api")) return;
    ev.preventDefault();
    if (form.getAttribute("data-busy")) return;
    form.setAttribute("data-busy", "1");
    var at = Date.now();
    var locate = form.hasAttribute("data-locate");
    var item;
    try {
      var read = readForm(form);
      var maxPx = form.hasAttribute("data-photo-max-px")
        ? Number(form.getAttribute("data-photo-max-px")) || 0
        : PHOTO_MAX_PX;
      var files = [];
      if (read.files.length) formStatus(form, "正在处理照片…", "pending");
      for (var i = 0; i < read.files.length; i++) files.push(await shrinkPhoto(read.files[i], maxPx));
      var body = read.body;
      var needPosition = false;
      if (locate) {
        body.at_ms = at;
        needPosition = body.lng == null || body.lat == null || body.lng === "" || body.lat === "";
        if (needPosition) {
          body.lng = null;
          body.lat = null;
          body.accuracy_m = null;
        } else if (!("accuracy_m" in body)) {
          body.accuracy_m = null;
        }
      }
      item = {
        id: randomKey("item"),
        url: form.getAttribute("data-api"),
        body: body,
        files: files,
        uploads: files.map(function () { return null; }),
        photos: read.hasPhotos,
        key: randomKey("f"),
        label: form.getAttribute("data-label") || document.title,
        created: at,
        form: form.id || "",
        done: form.getAttribute("data-done") || "",
        locating: needPosition,
        refused: null,
        account: account(),
      };
      // Kept on the phone before anything else: the worker may put the phone away now.
      if (needPosition) locatingNow[item.id] = true;
      await outbox.put(item);
      form.reset();
      all(".photo-preview", form).forEach(function (box) { box.textContent = ""; });
      formStatus(form, needPosition ? "已保存，正在定位…" : "已保存，正在发送…", "pending");
      emit("field:queued", { item: item });
      render();
    } catch (e) {
      if (item) delete locatingNow[item.id];
      formStatus(form, "未能保存在手机上：" + ((e && e.message) || e) + "，请重试", "error");
      return;
    } finally {
      form.removeAttribute("data-busy");
    }
    if (needPosition) {
      var pos = await currentPosition();
      if (pos) {
        item.body.lng = pos.coords.longitude;
        item.body.lat = pos.coords.latitude;
        item.body.accuracy_m = Math.round(pos.coords.accuracy * 10) / 10;
      }
      item.locating = false;
      await outbox.put(item);
      delete locatingNow[item.id];
      formStatus(form, pos ? "已保存，正在发送…" : "已保存（未能定位），正在发送…", "pending");
    }
    flush();
  }

  // ---------------------------------------------------------------------------------------
  // Sending: one POST, its answer sorted into ok / retry later / refused for good / log in.

  async function post(url, body, contentType, key, timeoutMs) {
    var ctrl = window.AbortController ? new AbortController() : null;
    var timer = ctrl ? setTimeout(function () { ctrl.abort(); }, timeoutMs) : null;
    var headers = { "Content-Type": contentType, "Accept": "application/json" };
    if (key) headers["Idempotency-Key"] = key;
    var res;
    var text = "";
    try {
      res = await fetch(url, {
        method: "POST",
        credentials: "same-origin",
        cache: "no-store",
        headers: headers,
        body: body,
        signal: ctrl ? ctrl.signal : undefined,
      });
      text = await res.text();
    } catch (e) {
      return { kind: "retry", message: "网络不通" };
    } finally {
      if (timer) clearTimeout(timer);
    }
    var data;
    try { data = text ? JSON.parse(text) : null; } catch (e) { data = undefined; }
    var err = data && data.error ? data.error : null;
    var status = res.status;
    var loginPage = res.redirected && /\/login(\?|$)/.test(new URL(res.url, location.href).pathname);
    if (status >= 200 && status < 300) {
      if (loginPage) return { kind: "auth", message: "登录已失效", link: "/login", linkText: "重新登录" };
      // A captive portal or a proxy answering HTML is not our server's answer.
      if (data === undefined) return { kind: "retry", message: "服务器回答异常" };
      return { kind: "ok", status: status, data: data };
    }
    var message = err && err.message ? err.message : "服务器拒绝（HTTP " + status + "）";
    if (status === 401) return { kind: "auth", message: "登录已失效", link: "/login", linkText: "重新登录" };
    if (status === 403 && err && (err.field === "password" || err.field === "totp")) {
      return { kind: "auth", message: message, link: "/" + err.field, linkText: "去处理" };
    }
    if (status >= 500 || status === 408 || status === 425 || status === 429) {
      return { kind: "retry", message: "服务器暂时无法处理（HTTP " + status + "）" };
    }
    if (status === 409 && (!err || err.code === "conflict")) {
      return { kind: "retry", message: "上一次发送仍在处理" };
    }
    return { kind: "refused", status: status, message: message, error: err };
  }

  var hold = null; // why sending stopped: {kind: "retry"|"auth", message}

  async function sendItem(item) {
    for (var i = 0; i < item.files.length; i++) {
      if (item.uploads[i] != null || !item.files[i]) continue;
      var blob = asBlob(item.files[i]);
      var up = await post("/api/v1/uploads", blob, blob.type || "image/jpeg",
        item.key + "-p" + i, UPLOAD_TIMEOUT_MS);
      if (up.kind === "retry" || up.kind === "auth") { hold = up; waitMore(item); return false; }
      if (up.kind === "refused") {
        await refuse(item, up, "第" + (i + 1) + "张照片：" + up.message);
        return true;
      }
      var ref = up.data && (up.data.reference != null ? up.data.reference : up.data.id);
      item.uploads[i] = ref == null ? null : String(ref);
      if (item.uploads[i] == null) { hold = { kind: "retry", message: "服务器回答异常" }; return false; }
      item.files[i] = null; // sent: the phone need not keep the bytes
      await outbox.put(item);
    }
    var body = Object.assign({}, item.body);
    if (item.photos) body.photos = item.uploads.filter(function (r) { return r != null; });
    var res = await post(item.url, JSON.stringify(body), "application/json", item.key, JSON_TIMEOUT_MS);
    if (res.kind === "retry" || res.kind === "auth") { hold = res; waitMore(item); return false; }
    if (res.kind === "refused") { await refuse(item, res, res.message); return true; }
    await outbox.del(item.id);
    hold = null;
    var answer = res.data || {};
    var note = answer.position_note ? "；" + answer.position_note : "";
    var link = null;
    if (item.done) {
      link = item.done.replace(/\{(\w+)\}/g, function (m, k) {
        return answer[k] == null ? "\u0000" : encodeURIComponent(answer[k]);
      });
      if (link.indexOf("\u0000") >= 0) link = null;
    }
    formStatus(formOf(item), "已送达：" + item.label + note, "sent", link);
    emit("field:sent", { item: item, answer: answer });
    return true;
  }

  function waitMore(item) {
    var form = formOf(item);
    var box = form && form.querySelector(".form-status");
    if (box && /正在发送/.test(box.textContent)) {
      formStatus(form, hold && hold.kind === "auth"
        ? "已保存在手机上（" + hold.message + "），" + hold.linkText + "后自动发送"
        : "已保存在手机上，联网后自动发送", "pending");
    }
  }

  async function refuse(item, res, message) {
    item.refused = { status: res.status || 0, code: (res.error && res.error.code) || "", message: message,
      field: (res.error && res.error.field) || "" };
    item.files = item.files.map(function () { return null; });
    await outbox.put(item);
    formStatus(formOf(item), "未被接受：" + message, "error");
    emit("field:refused", { item: item, error: item.refused });
  }

  async function flushOutbox() {
    var items = await outbox.all();
    for (var i = 0; i < items.length; i++) {
      if (locatingNow[items[i].id]) continue;
      // Read again: the list may be older than a position added or a discard since.
      var item = await outbox.get(items[i].id);
      if (!item || item.refused || locatingNow[item.id] || foreign(item)) continue;
      if (!(await sendItem(item))) return false;
    }
    return true;
  }

  // One flush at a time (across tabs too, where the browser has Web Locks); a request
  // during a flush runs another one after it.
  var flushing = null;
  var flushAgain = false;

  function flush() {
    if (flushing) { flushAgain = true; return flushing; }
    var run = function () {
      hold = null;
      return flushPatrol().then(function (ok) { return ok ? flushOutbox() : false; });
    };
    var locked = navigator.locks && navigator.locks.request
      ? navigator.locks.request("wangge-field-flush", run)
      : run();
    flushing = Promise.resolve(locked).catch(function (e) {
      hold = { kind: "retry", message: (e && e.message) || "发送出错" };
    }).then(function () {
      flushing = null;
      render();
      showPatrol();
      if (flushAgain) { flushAgain = false; flush(); }
    });
    return flushing;
  }

  // ---------------------------------------------------------------------------------------
  // The queue bar.

  var waitingCount = 0;

  async function render() {
    var items = await outbox.all();
    var others = items.filter(function (i) { return foreign(i) && !i.refused; });
    var waiting = items.filter(function (i) { return !i.refused && !foreign(i); });
    var refused = items.filter(function (i) { return i.refused && !foreign(i); });
    var points = pendingPoints();
    waitingCount = waiting.length;
    all("[data-queue-count]").forEach(function (el) { el.textContent = String(waiting.length); });
    all(".queue-status").forEach(function (bar) {
      bar.textContent = "";
      if (!waiting.length && !refused.length && !points && !others.length) { bar.hidden = true; return; }
      bar.hidden = false;
      var line = document.createElement("div");
      line.className = "queue-line";
      if (navigator.onLine === false) {
        var off = document.createElement("span");
        off.className = "queue-offline";
        off.textContent = "离线";
        line.appendChild(off);
      }
      var parts = [];
      if (waiting.length) {
        var labels = waiting.slice(0, 5).map(function (i) { return i.label; }).join("、");
        parts.push(waiting.length + " 条：" + labels + (waiting.length > 5 ? " 等" : ""));
      }
      if (points) parts.push("轨迹点 " + points + " 个");
      if (parts.length) {
        var sum = document.createElement("span");
        sum.className = "queue-summary";
        sum.textContent = "待发送 " + parts.join("；");
        line.appendChild(sum);
        var retry = document.createElement("button");
        retry.type = "button";
        retry.className = "queue-retry";
        retry.textContent = "重试";
        line.appendChild(retry);
      }
      if (line.firstChild) bar.appendChild(line);
      if (parts.length && hold) {
        var note = document.createElement("p");
        note.className = "queue-note";
        if (hold.kind === "auth") {
          note.appendChild(document.createTextNode(hold.message + "："));
          var a = document.createElement("a");
          a.href = hold.link;
          a.textContent = hold.linkText;
          note.appendChild(a);
          note.appendChild(document.createTextNode("，之后自动发送"));
        } else if (navigator.onLine !== false) {
          note.textContent = "发送未成功（" + hold.message + "），稍后自动重试";
        }
        if (note.firstChild) bar.appendChild(note);
      }
      if (others.length) {
        var other = document.createElement("p");
        other.className = "queue-note queue-others";
        other.textContent = "另有 " + others.length + " 条是其他账号在本机保存的，须由该账号登录后发送";
        bar.appendChild(other);
      }
      if (memoryOnly && waiting.length) {
        var warn = document.createElement("p");
        warn.className = "queue-note";
        warn.textContent = "此浏览器不能把内容保存在手机上：发送完成前请不要关闭本页";
        bar.appendChild(warn);
      }
      if (refused.length) {
        var ul = document.createElement("ul");
        ul.className = "queue-refused";
        refused.forEach(function (i) {
          var li = document.createElement("li");
          var b = document.createElement("b");
          b.textContent = i.label;
          li.appendChild(b);
          var span = document.createElement("span");
          span.className = "reason";
          span.textContent = "未被接受：" + i.refused.message;
          li.appendChild(span);
          var discard = document.createElement("button");
          discard.type = "button";
          discard.className = "queue-discard";
          discard.setAttribute("data-id", i.id);
          discard.textContent = "放弃";
          li.appendChild(discard);
          ul.appendChild(li);
        });
        bar.appendChild(ul);
      }
    });
  }

  function onClick(ev) {
    var t = ev.target;
    if (!t || !t.closest) return;
    var discard = t.closest(".queue-status button.queue-discard");
    if (discard) {
      outbox.del(discard.getAttribute("data-id")).then(render);
      return;
    }
    if (t.closest(".queue-status button.queue-retry")) { flush(); return; }
    if (t.closest("#patrol button.patrol-start")) { startPatrol(); return; }
    if (t.closest("#patrol button.patrol-stop")) { stopPatrol(); }
  }

  // ---------------------------------------------------------------------------------------
  // Patrol: a running patrol lives in localStorage, so tracking goes on across the field
  // pages and survives a reload; its points are sent in batches with their own keys.
  //   wangge-patrol         {"id": 12 | null (start not answered yet), "startKey", "stopKey",
  //                          "stopping": bool, "interval": ms, "lastAt": ms of the last point}
  //   wangge-patrol-points  {"batches": [{"patrol": 12 | null, "key", "points": [...]}],
  //                          "buffer": [{at_ms, lng, lat, accuracy_m}]}

  var patrol = {
    state: null, watchId: null, timer: null, last: null, first: true,
    stats: null, wake: null, problem: "", ended: "",
  };

  function readJson(key) {
    try {
      var raw = localStorage.getItem(key);
      return raw ? JSON.parse(raw) : null;
    } catch (e) { return null; }
  }

  function writeJson(key, value) {
    try {
      if (value == null) localStorage.removeItem(key);
      else localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (e) { return false; }
  }

  // Read afresh each time (another tab may have changed them); memory once storage fails.
  var pointsMemory = null;

  function loadPoints() {
    var p = pointsMemory || readJson(POINTS_KEY);
    return {
      batches: p && Array.isArray(p.batches) ? p.batches : [],
      buffer: p && Array.isArray(p.buffer) ? p.buffer : [],
    };
  }

  function savePoints(p) {
    if (pointsMemory || !writeJson(POINTS_KEY, p.batches.length || p.buffer.length ? p : null)) {
      pointsMemory = p;
    }
  }

  function pendingPoints() {
    var p = loadPoints();
    return p.batches.reduce(function (n, b) { return n + b.points.length; }, 0) + p.buffer.length;
  }

  // The buffer becomes batches of at most MAX_BATCH points, each with its own key.
  function cutBatches(patrolId) {
    var p = loadPoints();
    if (!p.buffer.length) return;
    while (p.buffer.length) {
      p.batches.push({ patrol: patrolId, key: randomKey("pt"), points: p.buffer.splice(0, MAX_BATCH) });
    }
    savePoints(p);
  }

  function normalState(saved) {
    if (typeof saved === "number" || typeof saved === "string") saved = { id: saved };
    if (!saved || typeof saved !== "object") return null;
    var st = {
      id: saved.id == null || saved.id === "" || !isFinite(Number(saved.id)) ? null : Number(saved.id),
      startKey: saved.startKey || null,
      stopKey: saved.stopKey || null,
      stopping: !!saved.stopping,
      interval: Number(saved.interval) >= 1000 ? Number(saved.interval) : null,
      lastAt: Number(saved.lastAt) || 0,
    };
    if (st.id == null && !st.startKey) return null;
    if (st.stopping && !st.stopKey) st.stopKey = randomKey("stop");
    return st;
  }

  function savePatrol() {
    writeJson(PATROL_KEY, patrol.state);
    var el = document.getElementById("patrol");
    if (el) el.setAttribute("data-patrol-id", patrol.state && patrol.state.id != null ? patrol.state.id : "");
  }

  function pageInterval() {
    var el = document.getElementById("patrol");
    var ms = el ? Number(el.getAttribute("data-interval-ms")) : 0;
    return ms >= 1000 ? ms : null;
  }

  function interval() {
    return pageInterval() || (patrol.state && patrol.state.interval) || 30000;
  }

  function locationProblem(err) {
    if (!err) return "无法获取位置：此浏览器不支持定位";
    if (err.code === 1) {
      return window.isSecureContext === false
        ? "无法获取位置：须通过 HTTPS 访问本网站才能定位"
        : "无法获取位置：未允许使用位置，请在浏览器设置中允许本网站使用位置信息";
    }
    if (err.code === 2) return "无法获取位置：暂时收不到定位信号";
    if (err.code === 3) return "无法获取位置：定位超时";
    return "无法获取位置：" + (err.message || "未知原因");
  }

  function appendPoint() {
    var pos = patrol.last;
    if (!pos || !patrol.state || patrol.state.stopping) return false;
    var at = pos.timestamp || Date.now();
    // Some phones stamp fixes oddly; a fix far from the clock is stamped now.
    if (Math.abs(at - Date.now()) > 10 * 60000) at = Date.now();
    at = Math.round(at);
    if (at <= (patrol.state.lastAt || 0)) {
      // No new fix: a phone at rest reports none. The last one stands for a while —
      // standing with residents is patrol work — but not for ever: the signal may be gone.
      var now = Date.now();
      if (now - at > STILL_FOR_MS || now <= (patrol.state.lastAt || 0)) return false;
      at = now;
    }
    patrol.state.lastAt = at;
    savePatrol();
    var p = loadPoints();
    p.buffer.push({
      at_ms: at,
      lng: pos.coords.longitude,
      lat: pos.coords.latitude,
      accuracy_m: pos.coords.accuracy == null ? null : Math.round(pos.coords.accuracy * 10) / 10,
    });
    savePoints(p);
    return true;
  }

  function onPosition(pos) {
    patrol.last = pos;
    patrol.problem = "";
    drawHere(pos.coords.longitude, pos.coords.latitude);
    if (patrol.first) {
      patrol.first = false;
      appendPoint();
      flush();
    }
    showPatrol();
  }

  function onPositionError(err) {
    patrol.problem = locationProblem(err);
    showPatrol();
  }

  function tick() {
    appendPoint();
    flush();
  }

  async function keepAwake() {
    try {
      if (patrol.wake || !navigator.wakeLock || document.visibilityState !== "visible") return;
      patrol.wake = await navigator.wakeLock.request("screen");
      patrol.wake.addEventListener("release", function () { patrol.wake = null; });
    } catch (e) { patrol.wake = null; }
  }

  function beginWatch() {
    if (patrol.watchId != null) return;
    if (!navigator.geolocation) { patrol.problem = locationProblem(null); showPatrol(); return; }
    patrol.first = true;
    try {
      patrol.watchId = navigator.geolocation.watchPosition(onPosition, onPositionError,
        { enableHighAccuracy: true, maximumAge: 0 });
    } catch (e) {
      patrol.problem = locationProblem(null);
    }
    patrol.timer = setInterval(tick, interval());
    keepAwake();
  }

  function endWatch() {
    if (patrol.watchId != null && navigator.geolocation) navigator.geolocation.clearWatch(patrol.watchId);
    patrol.watchId = null;
    if (patrol.timer) clearInterval(patrol.timer);
    patrol.timer = null;
    if (patrol.wake) { patrol.wake.release().catch(noop); patrol.wake = null; }
  }

  async function startPatrol() {
    if (patrol.state) return;
    if (!navigator.geolocation) { patrol.problem = locationProblem(null); showPatrol(); return; }
    // Refused before: say so rather than start a patrol that records nothing.
    try {
      var perm = navigator.permissions ? await navigator.permissions.query({ name: "geolocation" }) : null;
      if (perm && perm.state === "denied") { patrol.problem = locationProblem({ code: 1 }); showPatrol(); return; }
    } catch (e) { /* no permissions API for geolocation: just try */ }
    if (patrol.state) return;
    patrol.ended = "";
    patrol.problem = "";
    patrol.stats = null;
    patrol.state = {
      id: null, startKey: randomKey("patrol"), stopKey: null, stopping: false, interval: pageInterval(),
      lastAt: 0,
    };
    savePatrol();
    clearRefused();
    beginWatch();
    showPatrol();
    flush();
  }

  function stopPatrol() {
    if (!patrol.state || patrol.state.stopping) return;
    appendPoint();
    endWatch();
    patrol.state.stopping = true;
    patrol.state.stopKey = randomKey("stop");
    savePatrol();
    cutBatches(patrol.state.id);
    showPatrol();
    flush();
  }

  function dropPatrol() {
    endWatch();
    patrol.state = null;
    savePatrol();
    savePoints({ batches: [], buffer: [] });
  }

  function finishPatrol(answer, message) {
    dropPatrol();
    patrol.problem = "";
    all("svg.track-map circle.here").forEach(function (c) { c.parentNode.removeChild(c); });
    if (answer) showStats(answer.stats || answer);
    patrol.ended = "巡查已结束" + (message ? "（" + message + "）" : "");
    emit("field:patrol", { kind: "stopped", answer: answer || null });
  }

  // Sends what the patrol has waiting: its start, its batches of points, its stop.
  async function flushPatrol() {
    var st = patrol.state;
    if (st && st.id == null) {
      var started = await post("/api/v1/patrols", "{}", "application/json", st.startKey, JSON_TIMEOUT_MS);
      if (patrol.state !== st) return true; // changed meanwhile (another tab)
      if (started.kind === "retry" || started.kind === "auth") { hold = started; return false; }
      if (started.kind === "refused") {
        dropPatrol();
        patrol.problem = "无法开始巡查：" + started.message;
        return true;
      }
      if (!started.data || started.data.id == null) { hold = { kind: "retry", message: "服务器回答异常" }; return false; }
      hold = null;
      st.id = Number(started.data.id);
      savePatrol();
      emit("field:patrol", { kind: "started", answer: started.data });
    }
    if (patrol.state && patrol.state.id != null && !patrol.state.stopping) cutBatches(patrol.state.id);
    for (;;) {
      var p = loadPoints();
      var batch = p.batches[0];
      if (!batch) break;
      if (batch.patrol == null) {
        st = patrol.state;
        if (st && st.id == null) break; // its patrol has not been answered yet
        p.batches.forEach(function (b) { if (b.patrol == null) b.patrol = st ? st.id : -1; });
        p.batches = p.batches.filter(function (b) { return b.patrol !== -1; });
        savePoints(p);
        continue;
      }
      var res = await post("/api/v1/patrols/" + encodeURIComponent(batch.patrol) + "/points",
        JSON.stringify({ points: batch.points }), "application/json", batch.key, JSON_TIMEOUT_MS);
      if (res.kind === "retry" || res.kind === "auth") { hold = res; return false; }
      p = loadPoints();
      p.batches = p.batches.filter(function (b) { return b.key !== batch.key; });
      savePoints(p);
      if (res.kind === "refused") {
        addRefused("这批轨迹点（" + batch.points.length + " 个）未被接受：" + res.message);
        continue;
      }
      hold = null;
      var answer = res.data || {};
      var refusedAt = {};
      (answer.refused || []).forEach(function (r) {
        refusedAt[r.index] = true;
        var pt = batch.points[r.index];
        addRefused((pt ? timeText(pt.at_ms) + " 的位置" : "第" + (r.index + 1) + "个位置") + "：" + r.reason);
      });
      drawTrack(batch.points.filter(function (pt, i) { return !refusedAt[i]; }));
      if (answer.stats) showStats(answer.stats);
      emit("field:patrol", { kind: "points", answer: answer });
    }
    st = patrol.state;
    if (st && st.stopping && st.id != null && !loadPoints().batches.length) {
      var stop = await post("/api/v1/patrols/" + encodeURIComponent(st.id) + "/stop", "{}",
        "application/json", st.stopKey, JSON_TIMEOUT_MS);
      if (patrol.state !== st) return true;
      if (stop.kind === "retry" || stop.kind === "auth") { hold = stop; return false; }
      hold = null;
      if (stop.kind === "refused") finishPatrol(null, stop.message);
      else finishPatrol(stop.data, "");
    }
    return true;
  }

  function setStat(name, value) {
    all('#patrol .patrol-stats [data-stat="' + name + '"]').forEach(function (el) { el.textContent = value; });
  }

  function showStats(stats) {
    if (!stats) return;
    patrol.stats = stats;
    if (typeof stats.points === "number") setStat("points", String(stats.points));
    if (typeof stats.patrol_ms === "number") setStat("minutes", String(Math.round(stats.patrol_ms / 60000)));
    if (typeof stats.distance_m === "number") setStat("distance", (stats.distance_m / 1000).toFixed(2));
    if ("inside_share" in stats) {
      setStat("inside", typeof stats.inside_share === "number" ? String(Math.round(stats.inside_share * 100)) : "—");
    }
    if (Array.isArray(stats.notes)) {
      all("#patrol .patrol-notes").forEach(function (box) {
        box.textContent = "";
        stats.notes.forEach(function (n) {
          var li = document.createElement(box.tagName === "UL" || box.tagName === "OL" ? "li" : "p");
          li.textContent = n;
          box.appendChild(li);
        });
        box.hidden = !stats.notes.length;
      });
    }
  }

  function addRefused(text) {
    all(".refused").forEach(function (box) {
      var li = document.createElement(box.tagName === "UL" || box.tagName === "OL" ? "li" : "p");
      li.textContent = text;
      box.appendChild(li);
      while (box.children.length > 20) box.removeChild(box.firstElementChild);
      box.hidden = false;
    });
  }

  function clearRefused() {
    all(".refused").forEach(function (box) { box.textContent = ""; box.hidden = true; });
  }

  function showPatrol() {
    var el = document.getElementById("patrol");
    if (!el) return;
    var st = patrol.state;
    var state = !st ? "idle" : st.stopping ? "stopping" : st.id == null ? "starting" : "running";
    el.setAttribute("data-state", state);
    all("button.patrol-start", el).forEach(function (b) {
      b.hidden = state !== "idle";
      b.disabled = !navigator.geolocation;
    });
    all("button.patrol-stop", el).forEach(function (b) { b.hidden = state === "idle" || state === "stopping"; });
    var text;
    if (patrol.problem && state !== "stopping") text = patrol.problem;
    else if (state === "idle") text = patrol.ended || null;
    else if (state === "stopping") text = hold ? "巡查已结束，剩余轨迹将在联网后自动上传" : "正在结束巡查…";
    else if (state === "starting") text = hold ? "正在开始巡查…（联网后自动开始，轨迹先存在手机上）" : "正在开始巡查…";
    else if (!patrol.last) text = "巡查中，正在定位…";
    else text = "巡查中，每 " + Math.round(interval() / 1000) + " 秒记录一次位置，请保持本页打开";
    if (text != null) all(".patrol-status", el).forEach(function (s) { s.textContent = text; });
  }

  // ---------------------------------------------------------------------------------------
  // The track on svg.track-map (projection as app.js's pick map).

  function projection(svg) {
    var p = (svg.getAttribute("data-proj") || "").trim().split(/\s+/).map(Number);
    if (p.length !== 6 || p.some(function (n) { return !isFinite(n); })) return null;
    return function (lng, lat) {
      return [p[5] + (lng - p[0]) * p[2], p[4] - p[5] - (lat - p[1]) * p[3]];
    };
  }

  function drawTrack(points) {
    if (!points.length) return;
    all("svg.track-map").forEach(function (svg) {
      var proj = projection(svg);
      if (!proj) return;
      var line = svg.querySelector("polyline.track");
      if (!line) {
        line = document.createElementNS("http://www.w3.org/2000/svg", "polyline");
        line.setAttribute("class", "track");
        line.setAttribute("points", "");
        svg.appendChild(line);
      }
      var s = (line.getAttribute("points") || "").trim();
      points.forEach(function (pt) {
        var xy = proj(pt.lng, pt.lat);
        s += (s ? " " : "") + xy[0].toFixed(1) + "," + xy[1].toFixed(1);
      });
      line.setAttribute("points", s);
    });
  }

  function drawHere(lng, lat) {
    all("svg.track-map").forEach(function (svg) {
      var proj = projection(svg);
      if (!proj) return;
      var dot = svg.querySelector("circle.here");
      if (!dot) {
        dot = document.createElementNS("http://www.w3.org/2000/svg", "circle");
        dot.setAttribute("class", "here");
        dot.setAttribute("r", "6");
        svg.appendChild(dot);
      }
      var xy = proj(lng, lat);
      dot.setAttribute("cx", xy[0].toFixed(1));
      dot.setAttribute("cy", xy[1].toFixed(1));
    });
  }

  // Another tab started, stopped or finished the patrol.
  function patrolChanged() {
    patrol.state = normalState(readJson(PATROL_KEY));
    if (!patrol.state || patrol.state.stopping) endWatch();
    else beginWatch();
    showPatrol();
    render();
  }

  function initPatrol() {
    patrol.state = normalState(readJson(PATROL_KEY));
    var el = document.getElementById("patrol");
    var pageId = el ? (el.getAttribute("data-patrol-id") || "").trim() : "";
    if (pageId && isFinite(Number(pageId)) && !(patrol.state && patrol.state.stopping)) {
      // The page names the running patrol: it wins over what this phone remembered.
      var id = Number(pageId);
      if (!patrol.state || patrol.state.id !== id) {
        var p = loadPoints();
        var old = patrol.state ? patrol.state.id : null;
        // Points kept while a start was unanswered belong to the patrol the server runs.
        p.batches.forEach(function (b) { if (b.patrol == null) b.patrol = old == null ? id : old; });
        if (p.buffer.length) {
          p.batches.push({ patrol: old == null ? id : old, key: randomKey("pt"), points: p.buffer });
          p.buffer = [];
        }
        savePoints(p);
        patrol.state = {
          id: id, startKey: null, stopKey: null, stopping: false, interval: pageInterval(),
          lastAt: patrol.state ? patrol.state.lastAt : 0,
        };
      }
    }
    if (patrol.state && pageInterval()) patrol.state.interval = pageInterval();
    savePatrol();
    if (patrol.state && !patrol.state.stopping) beginWatch();
    if (el && !navigator.geolocation) patrol.problem = locationProblem(null);
    showPatrol();
  }

  // ---------------------------------------------------------------------------------------

  function registerWorker() {
    if (!("serviceWorker" in navigator)) return;
    // Scope "/field" (no slash) so that /field itself, the start page, is covered too; the
    // server allows it with `Service-Worker-Allowed: /field`.
    navigator.serviceWorker.register("/field/sw.js", { scope: "/field" }).catch(function (e) {
      if (window.console) console.warn("service worker:", e);
    });
  }

  function hasWaiting() {
    return waitingCount > 0 || pendingPoints() > 0 || !!(patrol.state && (patrol.state.id == null || patrol.state.stopping));
  }

  function init() {
    document.addEventListener("submit", onSubmit);
    document.addEventListener("click", onClick);
    window.addEventListener("online", function () { render(); flush(); });
    window.addEventListener("offline", function () { render(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState !== "visible") return;
      if (patrol.watchId != null) keepAwake();
      flush();
    });
    window.addEventListener("storage", function (ev) {
      if (ev.key === PATROL_KEY) patrolChanged();
      else if (ev.key === POINTS_KEY) render();
    });
    setInterval(function () { if (hasWaiting()) flush(); }, RETRY_EVERY_MS);
    initPatrol();
    registerWorker();
    render().then(flush);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
