// Small behaviours htmx leaves to the page; no inline script, no eval (CSP-friendly).
(function () {
  "use strict";

  // Wide screens show the filters and the header's links open; phones start with them folded.
  document.addEventListener("DOMContentLoaded", function () {
    if (window.matchMedia("(min-width: 721px)").matches) {
      document.querySelectorAll("details.filter-more, details.menu").forEach(function (d) { d.open = true; });
    }
  });

  // A page shown again by Back or Forward from the browser's memory would show old data.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) window.location.reload();
  });

  // «Hoàn thành» means the whole work: the percent follows at once (the server does the same).
  document.addEventListener("change", function (event) {
    var select = event.target, form = select.form;
    if (select.name === "status" && select.value === "done" && form && form.classList.contains("report-form") &&
        form.elements.percent) {
      form.elements.percent.value = "100";
    }
  });

  // A form that acts on the rows ticked in a list, with none ticked: nothing is sent (htmx
  // would find no row to swap); say so where messages show, as the server would without htmx.
  // Caught before htmx sees the submit. Once a selection is done with, with no row refused,
  // the warning and the comment typed for it go, so that the next selection starts afresh.
  function chosen(form) {
    return Array.prototype.some.call(form.elements, function (input) { return input.type === "checkbox" && input.checked; });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target, flash = document.getElementById("flash");
    if (!form.matches || !form.matches("[data-nothing-chosen]") || chosen(form)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    if (!flash) return;
    var alert = document.createElement("div");
    alert.className = "alert warning";
    alert.setAttribute("role", "alert");
    alert.textContent = form.getAttribute("data-nothing-chosen");
    flash.replaceChildren(alert);
    flash.scrollIntoView({block: "nearest"});
  }, true);
  document.addEventListener("htmx:afterRequest", function (event) {
    var form = event.detail.elt, flash = document.getElementById("flash");
    if (!form.matches || !form.matches("[data-nothing-chosen]") || !event.detail.successful) return;
    if (document.querySelector("#queue .error")) return;  // a row refused keeps the comment for another try
    form.reset();
    if (flash) flash.replaceChildren();
  });

  // A search typed just before «Cập nhật» is clicked would arrive after the row's form opened
  // and swap the list over it: it is held while a row's form is opening or open, and runs once
  // the form is closed (saved or cancelled).
  var EDITING = "#results form.report-form, #results .htmx-request";
  document.addEventListener("htmx:beforeRequest", function (event) {
    var input = event.detail.elt;
    if (!input.matches || !input.matches("form.filters input[name=q]") || !document.querySelector(EDITING)) return;
    event.preventDefault();
    input.form.setAttribute("data-search-held", "");
  });
  // A search already on its way when the form is asked for is called back and held the same way.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var link = event.detail.elt, search = document.querySelector("form.filters input[name=q].htmx-request");
    if (!search || !link.matches || !link.matches("#results .cell-actions a[hx-get]")) return;
    htmx.trigger(search.form, "htmx:abort");  // the form holds the request (hx-sync)
    search.form.setAttribute("data-search-held", "");
  });
  document.addEventListener("htmx:afterSettle", function () {
    var form = document.querySelector("form.filters[data-search-held]");
    if (!form || document.querySelector(EDITING)) return;
    form.removeAttribute("data-search-held");
    htmx.trigger(form, "submit");
  });

  // A long text stops at its field's limit (maxlength: the browser drops the rest of a paste
  // without a word): the field says so while it is full.
  document.addEventListener("input", function (event) {
    var field = event.target, limit = field.maxLength;
    if (!(field instanceof HTMLTextAreaElement) || !(limit > 0)) return;
    var note = field.parentElement.querySelector("[data-limit-note]");
    if (field.value.length < limit) {
      if (note) note.remove();
      return;
    }
    if (!note) {
      note = document.createElement("p");
      note.className = "hint late";
      note.setAttribute("data-limit-note", "");
      note.setAttribute("role", "status");
      field.after(note);
    }
    note.textContent = "Đã đủ " + limit.toLocaleString("vi-VN") + " ký tự, giới hạn của ô này: phần gõ hay dán " +
      "thêm không được nhận.";
  });

  // A flashed message closes with its «×».
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss]");
    if (button) button.parentElement.remove();
  });

  // A save turned away because the session had ended keeps what was typed, in this tab only
  // (sessionStorage, never the server), and puts it back into the row's form after login.
  // Leaving the page (a link, Back, a reload) with a row's form typed in and not saved asks
  // first: the form is marked when typed in, or when it came back unsaved (data-unsaved from
  // the server), and the mark is lifted once its text is kept.
  var UNSAVED = "unsaved-report:";
  function keepTyped(form) {
    var values = {};
    new FormData(form).forEach(function (value, name) { if (name !== "csrf_token") values[name] = value; });
    form.setAttribute("data-unsaved-key", UNSAVED + form.closest("tr").id);
    sessionStorage.setItem(form.getAttribute("data-unsaved-key"),
      JSON.stringify({edit: form.getAttribute("data-edit-url"), values: values}));
    form.removeAttribute("data-unsaved");
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form.classList && form.classList.contains("report-form")) keepTyped(form);
  });
  // Any other step sent back to the login page (a file uploaded, a row sent, after the session
  // ended) keeps what a form open on the page holds, as a save does, before the page is left.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail.xhr;
    if (xhr && xhr.getResponseHeader("HX-Redirect")) {
      document.querySelectorAll("form.report-form[data-unsaved]").forEach(keepTyped);
      // Files chosen cannot be kept: chosen again after login, they do not hold the page.
      document.querySelectorAll(".file-picker input[type=file]").forEach(function (input) { input.value = ""; });
    }
  });
  document.addEventListener("input", function (event) {
    var form = event.target.closest && event.target.closest("form.report-form");
    if (form) form.setAttribute("data-unsaved", "");
  });
  window.addEventListener("beforeunload", function (event) {
    var filesChosen = Array.prototype.some.call(document.querySelectorAll(".file-picker input[type=file]"),
      function (input) { return input.files.length > 0; });
    if (!filesChosen && !document.querySelector("form.report-form[data-unsaved]")) return;
    event.preventDefault();
    event.returnValue = "";  // browsers before preventDefault was enough
  });

  // Any answer that is swapped in (saved, or the form back with its errors) holds the text now;
  // the form itself is swapped out, so its own events no longer reach the document.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    var key = form && form.getAttribute && form.getAttribute("data-unsaved-key");
    if (key) sessionStorage.removeItem(key);
  });
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.htmx) return;
    Object.keys(sessionStorage).forEach(function (key) {
      if (key.indexOf(UNSAVED) !== 0) return;
      var row = document.getElementById(key.slice(UNSAVED.length));
      var unsaved = JSON.parse(sessionStorage.getItem(key));
      if (!row || !unsaved.edit || !row.querySelector(".cell-actions a[hx-get]")) return;
      htmx.ajax("GET", unsaved.edit, {target: row, swap: "outerHTML"}).then(function () {
        var form = document.querySelector("#" + CSS.escape(row.id) + " form.report-form");
        if (!form) return;
        Object.keys(unsaved.values).forEach(function (name) {
          if (form.elements[name]) form.elements[name].value = unsaved.values[name];
        });
        var notice = document.createElement("div");
        notice.className = "alert info unsaved-notice";
        notice.setAttribute("role", "status");
        notice.textContent = "Chưa lưu được vì phiên làm việc đã đổi (hết hạn, hoặc đăng nhập lại ở thẻ khác). " +
          "Nội dung bạn đã nhập được đưa lại vào biểu mẫu: hãy xem lại rồi bấm «Lưu».";
        form.insertBefore(notice, form.querySelector(".form-grid"));
        form.scrollIntoView({block: "start"});
        sessionStorage.removeItem(key);
      });
    });
  });

  // An upload of files (evidence, or a return's) shows how far it has gone.
  document.addEventListener("htmx:xhr:progress", function (event) {
    var form = event.target.closest && event.target.closest("form");
    var bar = form && form.querySelector(".upload-progress");
    if (!bar || !event.detail.total) return;
    bar.hidden = false;
    bar.value = Math.round(event.detail.loaded / event.detail.total * 100);
  });

  // A file field shows a Vietnamese button and the names chosen, whatever the browser's language.
  document.addEventListener("htmx:load", function (event) {
    event.detail.elt.querySelectorAll(".file-picker:not(.enhanced)").forEach(function (picker) {
      picker.querySelectorAll("[hidden]").forEach(function (part) { part.hidden = false; });
      picker.classList.add("enhanced");
    });
  });
  // A file over its field's limit (data-max-bytes) is refused as it is chosen, saying why,
  // before a long upload that the server would turn away.
  document.addEventListener("change", function (event) {
    var input = event.target, limit = Number(input.getAttribute && input.getAttribute("data-max-bytes"));
    if (input.type !== "file" || !limit) return;
    var place = input.closest(".file-picker") || input;
    var said = place.nextElementSibling && place.nextElementSibling.hasAttribute("data-size-error") ?
      place.nextElementSibling : null;
    var tooLarge = Array.prototype.filter.call(input.files, function (file) { return file.size > limit; });
    if (said) said.remove();
    if (!tooLarge.length) return;
    var error = document.createElement("p");
    error.className = "error";
    error.setAttribute("role", "alert");
    error.setAttribute("data-size-error", "");
    error.textContent = tooLarge.map(function (file) {
      return "«" + file.name + "» nặng " + megabytes(file.size) + " MB";
    }).join(", ") + ": quá giới hạn " + megabytes(limit) + " MB một tệp. Hãy chọn tệp nhỏ hơn.";
    place.after(error);
    input.value = "";
  }, true);
  function megabytes(size) {
    return (size / 1048576).toLocaleString("vi-VN", {maximumFractionDigits: 1});
  }
  document.addEventListener("change", function (event) {
    var input = event.target, picker = input.closest && input.closest(".file-picker");
    var chosen = picker && picker.querySelector(".file-chosen");
    if (!chosen || input.type !== "file") return;
    var names = Array.prototype.map.call(input.files, function (file) { return file.name; });
    chosen.textContent = names.length ? "Đã chọn " + names.length + " tệp: " + names.join(", ") +
      ". Bấm «" + (input.form.querySelector("[type=submit]") || {}).textContent + "» để gửi tệp." : "Chưa chọn tệp nào";
  });

  // A select marked data-submit-on-change (the header's plan choice) applies at once.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.hasAttribute && select.hasAttribute("data-submit-on-change") && select.form) select.form.requestSubmit();
  });

  // A «select all» box ticks every box its data-select-all selector names.
  document.addEventListener("change", function (event) {
    var selector = event.target.getAttribute && event.target.getAttribute("data-select-all");
    if (!selector) return;
    document.querySelectorAll(selector).forEach(function (box) { box.checked = event.target.checked; });
  });

  // Escape in a row being edited restores the row, as «Hủy» does.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var form = event.target.closest && event.target.closest(".report-form");
    var cancel = form && form.querySelector("[data-cancel]");
    if (cancel && window.htmx) {
      event.preventDefault();
      htmx.ajax("GET", cancel.getAttribute("hx-get"), {target: form.closest("tr"), swap: "outerHTML"});
    }
  });

  // After a row is swapped back, keep the keyboard where the user was.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.classList || !target.classList.contains("report-row")) return;
    var row = document.getElementById(target.id) || target;
    var focusable = row.querySelector("[autofocus]") || row.querySelector(".cell-actions .button") ||
      row.querySelector("button, a");
    if (focusable) focusable.focus();
  });

  // After another page of a list comes in, read it from its top: the keyboard and the view go
  // to the list's heading (or its summary), not to the bottom where the pager was.
  document.addEventListener("htmx:afterSwap", function (event) {
    var link = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!link || !link.closest || !link.closest(".pager")) return;
    var target = event.detail.target;
    var list = (target && target.id && document.getElementById(target.id)) || target;
    var start = list && list.querySelector("h2, .summary, caption");
    if (!start) return;
    if (!start.hasAttribute("tabindex")) start.setAttribute("tabindex", "-1");
    start.focus();
  });
})();
