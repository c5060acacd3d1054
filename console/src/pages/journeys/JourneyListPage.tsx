import type { PageProps } from '../../app/page';

/** Placeholder until the journey list lands (issue 17, item 1). */
export function JourneyListPage(_props: PageProps) {
  return (
    <section>
      <h1>Journeys</h1>
      <p>The journey list is on its way.</p>
    </section>
  );
}
