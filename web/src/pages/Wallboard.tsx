export function Wallboard(_props: { large?: boolean }) {
  return (
    <main id="main" class="page">
      <h1>Wallboard</h1>
    </main>
  );
}
