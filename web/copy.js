// The copy button of a new share link: copies the link, or leaves it
// selected for Ctrl+C where the clipboard is not allowed. Allowed by its
// hash in the page's Content-Security-Policy (web.SetPageHeaders).
document.addEventListener("click", (e) => {
  const button = e.target.closest("button[data-copy]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copy);
  const say = (text) => { button.textContent = text; };
  field.select();
  say("Copying…");
  if (!navigator.clipboard) { say("Press Ctrl+C"); return; }
  navigator.clipboard.writeText(field.value).then(() => say("Copied"), () => say("Press Ctrl+C"));
});
