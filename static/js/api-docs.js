// Starts Swagger UI from an external file so the page needs no inline script (CSP).
const root = document.getElementById("swagger-ui");
window.ui = SwaggerUIBundle({ url: root.dataset.specUrl, dom_id: "#swagger-ui", deepLinking: true });
