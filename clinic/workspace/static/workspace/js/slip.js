// The slip's Print button (a script file: the CSP allows no inline handlers).
document.getElementById("print-slip")?.addEventListener("click", () => window.print());
