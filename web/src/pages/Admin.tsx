export function Admin(_props: { large?: boolean }) {
  return (
    <main id="main" class="page">
      <h1>Admin</h1>
    </main>
  );
}
