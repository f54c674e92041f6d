// The line that says plainly what happens to answers while the connection is down. Its texts
// come translated from the template (data attributes), plural forms included.

export class StatusLine {
  constructor(element) {
    this.element = element;
    this.lang = document.documentElement.lang || "en";
    this.plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(this.lang) : null;
    this.waiting = 0;
    this.attention = [];
    this.sent = false;
    this.onShow = null;
    const bar = document.querySelector(".save-bar");
    // On a questionnaire the sticky save bar is where the eye is when saving: say it there.
    if (bar) { bar.appendChild(element); }
  }

  counted(prefix, n) {
    const category = this.plurals ? this.plurals.select(n) : (n === 1 ? "one" : "other");
    const data = this.element.dataset;
    const key = prefix + category.charAt(0).toUpperCase() + category.slice(1);
    const text = data[key] || data[prefix + "Other"] || "";
    const number = window.Intl ? new Intl.NumberFormat(this.lang, { numberingSystem: "latn" }).format(n) : String(n);
    return text.replace("{n}", number);
  }

  render() {
    const data = this.element.dataset;
    let text = "";
    if (this.attention.length) {
      text = data.attention;
    } else if (!navigator.onLine) {
      text = this.waiting ? this.counted("waiting", this.waiting) : data.offline;
    } else if (this.waiting) {
      text = this.counted("sending", this.waiting);
    } else if (this.sent) {
      text = data.sent;
    }
    this.element.textContent = text;
    if (this.attention.length && this.onShow) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = data.show;
      button.addEventListener("click", () => this.onShow(this.attention[0]));
      this.element.append(" ", button);
    }
    this.element.hidden = !text;
    this.element.classList.toggle("flash-error", Boolean(this.attention.length));
  }
}

