export function NotFound() {
  return (
    <div class="panel">
      <h1>Page not found</h1>
      <p>
        <a href="/">Back to the fleet</a>
      </p>
    </div>
  );
}
