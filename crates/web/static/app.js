// Wangge: small enhancements only; every page works without this script.
(function () {
  "use strict";

  function all(sel, root) {
    return Array.prototype.slice.call((root || document).querySelectorAll(sel));
  }

  // Highlight the grid under the pointer on region maps (title tooltips do the rest).
  function focusableMaps() {
    all("svg.region-map a").forEach(function (a) { a.setAttribute("tabindex", "0"); });
  }

  // Sets the form's point and marks it on the pick map.
  function setPoint(form, lng, lat, crs) {
    var lngInput = form.querySelector(".pick-lng");
    var latInput = form.querySelector(".pick-lat");
    if (!lngInput || !latInput) return;
    lngInput.value = lng.toFixed(6);
    latInput.value = lat.toFixed(6);
    var crsInput = form.querySelector("[name=crs]");
    if (crsInput && crs) crsInput.value = crs;
    var svg = form.querySelector("svg.pick-map");
    if (!svg) return;
    var p = (svg.getAttribute("data-proj") || "").split(" ").map(Number);
    if (p.length !== 6) return;
    var x = p[5] + (lng - p[0]) * p[2];
    var y = p[4] - p[5] - (lat - p[1]) * p[3];
    var mark = svg.querySelector(".picked");
    if (!mark) {
      mark = document.createElementNS("http://www.w3.org/2000/svg", "circle");
      mark.setAttribute("class", "picked");
      mark.setAttribute("r", "6");
      svg.appendChild(mark);
    }
    mark.setAttribute("cx", x.toFixed(1));
    mark.setAttribute("cy", y.toFixed(1));
  }

  // A click on the map chooses the point: the SVG carries its projection in data-proj.
  function pickMaps() {
    all("svg.pick-map").forEach(function (svg) {
      svg.addEventListener("click", function (ev) {
        var p = (svg.getAttribute("data-proj") || "").split(" ").map(Number);
        var ctm = svg.getScreenCTM();
        if (p.length !== 6 || !ctm || !svg.createSVGPoint) return;
        var pt = svg.createSVGPoint();
        pt.x = ev.clientX;
        pt.y = ev.clientY;
        var v = pt.matrixTransform(ctm.inverse());
        var lng = p[0] + (v.x - p[5]) / p[2];
        var lat = p[1] + (p[4] - p[5] - v.y) / p[3];
        var form = svg.closest("form");
        setPoint(form, lng, lat, "wgs84");
        var status = form.querySelector(".locate-status");
        if (status) status.textContent = "已选择：" + lng.toFixed(5) + ", " + lat.toFixed(5);
      });
    });
  }

  // "Use my position": the phone's GPS gives WGS84.
  function locateButtons() {
    all("button.locate-me").forEach(function (b) {
      if (!navigator.geolocation) { b.hidden = true; return; }
      b.addEventListener("click", function () {
        var form = b.closest("form");
        var status = form.querySelector(".locate-status");
        if (status) status.textContent = "正在定位…";
        navigator.geolocation.getCurrentPosition(function (pos) {
          setPoint(form, pos.coords.longitude, pos.coords.latitude, "wgs84");
          if (status) status.textContent = "已定位（精度约" + Math.round(pos.coords.accuracy) + "米）";
        }, function (err) {
          if (status) status.textContent = "无法定位：" + (err.code === 1 ? "未允许使用位置" : "请在地图上点选");
        }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
      });
    });
  }

  // Thumbnails of the photos chosen, before they are sent.
  function photoPreviews() {
    all("input.photo-input").forEach(function (input) {
      input.addEventListener("change", function () {
        var box = input.form && input.form.querySelector(".photo-preview");
        if (!box || !window.URL) return;
        box.textContent = "";
        Array.prototype.slice.call(input.files || [], 0, 9).forEach(function (f) {
          var img = document.createElement("img");
          img.alt = f.name;
          img.src = URL.createObjectURL(f);
          box.appendChild(img);
        });
      });
    });
  }

  // Live updates: the event stream says which events changed; lists reload their rows,
  // an event page offers to reload (a form being filled in is never thrown away).
  function live() {
    if (!document.body.getAttribute("data-live") || !window.EventSource) return;
    var list = document.querySelector(".live-list");
    var single = document.querySelector(".live-event");
    var count = document.querySelector(".notice-count");
    var status = document.querySelector(".live-status");
    var unseen = 0;
    var source = new EventSource("/api/v1/events/stream");
    source.addEventListener("change", function (ev) {
      var change;
      try { change = JSON.parse(ev.data); } catch (e) { return; }
      if (change.notices && change.notices.length && count) {
        unseen += change.notices.length;
        count.textContent = "（" + unseen + "）";
      }
      if (single) {
        var id = Number(single.getAttribute("data-event"));
        if (change.events.indexOf(id) >= 0 && status) {
          status.innerHTML = "";
          var a = document.createElement("a");
          a.href = location.href;
          a.textContent = "此事件刚有新进展，点击刷新";
          status.appendChild(a);
        }
      } else if (list && (change.events.length || change.notices.length)) {
        refreshList(list, status);
      }
    });
  }

  function refreshList(list, status) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", location.href);
    xhr.responseType = "document";
    xhr.onload = function () {
      var fresh = xhr.response && xhr.response.querySelector(".live-list");
      if (xhr.status === 200 && fresh) {
        list.innerHTML = fresh.innerHTML;
        if (status) status.textContent = "已于 " + new Date().toLocaleTimeString("zh-CN") + " 自动更新";
      }
    };
    xhr.send();
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusableMaps();
    pickMaps();
    locateButtons();
    photoPreviews();
    live();
  });
})();
