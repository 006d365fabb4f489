export function Desk(_props: { large?: boolean }) {
  return (
    <main id="main" class="page">
      <h1>Desk</h1>
    </main>
  );
}
