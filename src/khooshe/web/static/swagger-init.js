/* Swagger UI on the app's own OpenAPI document (no CDN, no inline script). */
window.addEventListener("load", function () {
  window.SwaggerUIBundle({ url: "/api/v1/openapi.json", dom_id: "#swagger-ui", deepLinking: true });
});
