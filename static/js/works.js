// The completed work form (back office, «Выполнение»): «Add an engineer» and «Add a material»
// add a row in place (without JavaScript they send the form back with one more row); choosing
// an engineer puts their card's rate into an empty rate; choosing a material of the list puts
// its name, unit and price into the row.
(function () {
  "use strict";

  function addRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-empty");
    if (!total || !template) return false;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    document.getElementById(prefix + "-rows").appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("select, input");
    if (first) first.focus();
    return true;
  }

  function field(row, name) {
    return row.querySelector('[name$="-' + name + '"]');
  }

  function engineerChosen(select) {
    var row = select.closest(".work-row");
    var rate = row && field(row, "hourly_rate");
    var option = select.selectedOptions[0];
    if (rate && option && option.dataset.rate && rate.value === "") rate.value = option.dataset.rate;
  }

  function materialChosen(select) {
    var row = select.closest(".work-row");
    var option = select.selectedOptions[0];
    if (!row || !option || !option.dataset.name) return;
    field(row, "name").value = option.dataset.name;
    field(row, "unit").value = option.dataset.unit;
    field(row, "price").value = option.dataset.price;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (button && addRow(button.dataset.addRow)) event.preventDefault();
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches || !target.closest(".work-form")) return;
    if (target.matches('select[name$="-engineer"]')) engineerChosen(target);
    if (target.matches('select[name$="-material"]')) materialChosen(target);
  });
})();
