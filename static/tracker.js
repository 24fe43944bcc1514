// Small behaviour the CSP allows only from a file: clicking a feed link field selects it, ready to copy.
document.addEventListener("click", (event) => {
  const field = event.target.closest("input[data-select-on-click]");
  if (field) field.select();
});
