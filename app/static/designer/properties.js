// Our properties panel for bpmn-js: only what the engine reads — the name, a lane's candidate group, the
// form of a user task, the decision of a business rule task, scripts, conditions, timers, messages and
// the process a call activity calls. Every change goes through bpmn-js's modeling commands (undo works).

const FORM_PROPERTY = "formJsonSchemaFilename";

export function designerProperties(modeler, panel) {
  const modeling = modeler.get("modeling");
  const moddle = modeler.get("moddle");
  const labels = JSON.parse(panel.dataset.labels);
  const choices = JSON.parse(panel.dataset.choices);
  const translate = modeler.get("translate");  // the modeler's own, in the page's language (translate.js)
  let current = null;

  function is(bo, type) { return bo && bo.$instanceOf && bo.$instanceOf(type); }

  function extension(element, bo, type, create) {
    let container = bo.get("extensionElements");
    let found = container && (container.get("values") || []).find((v) => is(v, type));
    if (found || !create) return found;
    if (!container) {
      container = moddle.create("bpmn:ExtensionElements", { values: [] });
      container.$parent = bo;
      modeling.updateModdleProperties(element, bo, { extensionElements: container });
    }
    found = moddle.create(type);
    found.$parent = container;
    modeling.updateModdleProperties(element, container, { values: container.get("values").concat([found]) });
    return found;
  }

  function dropExtension(element, bo, type) {
    const container = bo.get("extensionElements");
    if (!container) return;
    const kept = container.get("values").filter((v) => !is(v, type));
    modeling.updateModdleProperties(element, container, { values: kept });
  }

  function formName(bo) {
    const props = extension(null, bo, "spiffworkflow:Properties", false);
    const prop = props && (props.get("properties") || []).find((p) => p.name === FORM_PROPERTY);
    return prop ? prop.value : "";
  }

  function setFormName(element, bo, value) {
    const props = extension(element, bo, "spiffworkflow:Properties", true);
    const list = props.get("properties") || [];
    let prop = list.find((p) => p.name === FORM_PROPERTY);
    if (!value) {
      modeling.updateModdleProperties(element, props, { properties: list.filter((p) => p !== prop) });
      return;
    }
    if (!prop) {
      prop = moddle.create("spiffworkflow:Property", { name: FORM_PROPERTY, value: value });
      prop.$parent = props;
      modeling.updateModdleProperties(element, props, { properties: list.concat([prop]) });
    } else {
      modeling.updateModdleProperties(element, prop, { value: value });
    }
  }

  function bodyOf(element, bo, type) {
    const found = extension(element, bo, type, false);
    return found ? found.get("value") || "" : "";
  }

  function setBody(element, bo, type, value) {
    if (!value) { dropExtension(element, bo, type); return; }
    modeling.updateModdleProperties(element, extension(element, bo, type, true), { value: value });
  }

  function expression(value) {
    return value ? moddle.create("bpmn:FormalExpression", { body: value }) : undefined;
  }

  function field(label, control, hint) {
    const wrap = document.createElement("label");
    wrap.className = "property";
    const title = document.createElement("span");
    title.textContent = label;
    wrap.append(title, control);
    if (hint) {
      const small = document.createElement("small");
      small.textContent = hint;
      wrap.append(small);
    }
    panel.append(wrap);
    return control;
  }

  function input(name, value, onChange, list) {
    const control = document.createElement("input");
    control.name = name;
    control.value = value || "";
    if (list) control.setAttribute("list", list);
    control.addEventListener("change", () => onChange(control.value.trim()));
    return control;
  }

  function textarea(name, value, onChange) {
    const control = document.createElement("textarea");
    control.name = name;
    control.rows = 6;
    control.spellcheck = false;
    control.value = value || "";
    control.addEventListener("change", () => onChange(control.value));
    return control;
  }

  // "bpmn:UserTask" as bpmn-js names it in its menus ("User task"), in the page's language
  function typeName(type) {
    const words = type.replace(/^bpmn:/, "").replace(/([a-z])([A-Z])/g, "$1 $2").split(" ");
    return translate([words[0]].concat(words.slice(1).map((w) => w.toLowerCase())).join(" ")
      .replace("Sub process", "Sub-process").replace("Event based", "Event-based"));
  }

  function select(name, value, options, onChange, names) {
    const control = document.createElement("select");
    control.name = name;
    [""].concat(options).forEach((option) => {
      const node = document.createElement("option");
      node.value = option;
      node.textContent = (names && names[option]) || option || "—";
      control.append(node);
    });
    if (value && !options.includes(value)) {  // keep a value that names nothing: validation reports it
      const node = document.createElement("option");
      node.value = node.textContent = value;
      control.append(node);
    }
    control.value = value || "";
    control.addEventListener("change", () => onChange(control.value));
    return control;
  }

  function messageOf(definition) {
    return definition.get("messageRef") ? definition.get("messageRef").get("name") : "";
  }

  function setMessage(element, definition, name) {
    if (!name) { modeling.updateModdleProperties(element, definition, { messageRef: undefined }); return; }
    const root = modeler.getDefinitions();
    let message = root.get("rootElements").find((e) => is(e, "bpmn:Message") && e.name === name);
    if (!message) {
      message = moddle.create("bpmn:Message", { id: name.replace(/[^A-Za-z0-9_]/g, "_"), name: name });
      message.$parent = root;
      modeling.updateModdleProperties(element, root, { rootElements: root.get("rootElements").concat([message]) });
    }
    modeling.updateModdleProperties(element, definition, { messageRef: message });
  }

  function render(element) {
    current = element;
    panel.replaceChildren();
    const heading = document.createElement("h2");
    heading.textContent = labels.properties;
    panel.append(heading);
    if (!element) {
      const empty = document.createElement("p");
      empty.className = "hint";
      empty.textContent = labels.select;
      panel.append(empty);
      return;
    }
    const bo = element.businessObject;
    const id = input("id", bo.id, () => {});
    id.readOnly = true;
    field(labels.id + " (" + typeName(bo.$type) + ")", id);
    if (is(bo, "bpmn:Lane")) {
      field(labels.group, input("name", bo.name, (v) => modeling.updateProperties(element, { name: v }), "known-groups"),
        labels.groupHint);
    } else if (!is(bo, "bpmn:Process") && !is(bo, "bpmn:Collaboration")) {
      field(labels.name, input("name", bo.name, (v) => modeling.updateProperties(element, { name: v })));
    }
    if (is(bo, "bpmn:UserTask")) {
      field(labels.form, select("form", formName(bo), choices.forms, (v) => setFormName(element, bo, v)));
      const name = formName(bo);
      if (name) {
        const link = document.createElement("a");
        link.href = panel.dataset.formUrl.replace("__name__", name);
        link.textContent = labels.editForm;
        panel.append(link);
      }
    }
    if (is(bo, "bpmn:BusinessRuleTask")) {
      field(labels.decision, select("decision", bodyOf(element, bo, "spiffworkflow:CalledDecisionId"), choices.decisions,
        (v) => setBody(element, bo, "spiffworkflow:CalledDecisionId", v)));
    }
    if (is(bo, "bpmn:ScriptTask")) {
      field(labels.script, textarea("script", bo.get("script"), (v) => modeling.updateProperties(element,
        { script: v, scriptFormat: "python" })), labels.sandboxHint);
    }
    if (is(bo, "bpmn:CallActivity")) {
      field(labels.called, input("calledElement", bo.get("calledElement"),
        (v) => modeling.updateProperties(element, { calledElement: v || undefined })));
    }
    if (is(bo, "bpmn:SequenceFlow") && bo.sourceRef && (is(bo.sourceRef, "bpmn:ExclusiveGateway") || is(bo.sourceRef, "bpmn:InclusiveGateway"))) {
      const condition = bo.get("conditionExpression");
      field(labels.condition, textarea("condition", condition ? condition.body : "",
        (v) => modeling.updateProperties(element, { conditionExpression: expression(v.trim()) })), labels.sandboxHint);
    }
    (bo.get("eventDefinitions") || []).forEach((definition) => {
      if (is(definition, "bpmn:TimerEventDefinition")) {
        const kinds = ["timeDuration", "timeDate", "timeCycle"];
        const kind = kinds.find((k) => definition.get(k)) || "timeDuration";
        const value = definition.get(kind) ? definition.get(kind).body : "";
        const kindControl = select("timerKind", kind, kinds, () => {}, labels.timerKinds);
        kindControl.options[0].remove();
        field(labels.timerKind, kindControl);
        field(labels.timer, input("timer", value, (v) => {
          const props = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
          props[kindControl.value] = expression(v);
          modeling.updateModdleProperties(element, definition, props);
        }), labels.timerHint);
      }
      if (is(definition, "bpmn:MessageEventDefinition")) {
        field(labels.message, input("message", messageOf(definition), (v) => setMessage(element, definition, v)));
        field(labels.messageVariable, input("messageVariable", bodyOf(element, definition, "spiffworkflow:MessageVariable"),
          (v) => setBody(element, definition, "spiffworkflow:MessageVariable", v)));
      }
    });
    if (is(bo, "bpmn:Task") || is(bo, "bpmn:SubProcess")) {
      field(labels.preScript, textarea("preScript", bodyOf(element, bo, "spiffworkflow:PreScript"),
        (v) => setBody(element, bo, "spiffworkflow:PreScript", v.trim())));
      field(labels.postScript, textarea("postScript", bodyOf(element, bo, "spiffworkflow:PostScript"),
        (v) => setBody(element, bo, "spiffworkflow:PostScript", v.trim())));
    }
  }

  const events = modeler.get("eventBus");
  events.on("selection.changed", (event) => render(event.newSelection[0] || null));
  events.on("element.changed", (event) => {
    if (current && event.element === current && !panel.contains(document.activeElement)) render(current);
  });
  render(null);
}
