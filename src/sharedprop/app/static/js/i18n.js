// The page's strings: English in the source, translated by the catalog the server sends.
const catalog = new Map();
let language = "en";

export async function loadCatalog(fetchJson) {
  const data = await fetchJson("/api/i18n");
  language = data.lang;
  catalog.clear();
  for (const [key, value] of Object.entries(data.catalog)) catalog.set(key, value);
  document.documentElement.lang = language === "zh" ? "zh-CN" : "en";
}

export function setCatalog(lang, entries) {
  language = lang;
  catalog.clear();
  for (const [key, value] of Object.entries(entries)) catalog.set(key, value);
}

export function lang() {
  return language;
}

// The translation of message, with its {name} placeholders filled in from values.
export function _(message, values = {}) {
  const text = catalog.get(message) || message;
  return text.replace(/\{(\w+)\}/g, (all, key) => (key in values ? String(values[key]) : all));
}

// Marks a string for translation where it is defined; _() translates it where it is shown.
export function N_(message) {
  return message;
}
