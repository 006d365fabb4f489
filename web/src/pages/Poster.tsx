export function Poster({ line }: { line: string }) {
  return (
    <main id="main" class="page">
      <h1>{line}</h1>
    </main>
  );
}
