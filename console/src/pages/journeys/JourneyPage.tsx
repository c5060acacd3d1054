import type { PageProps } from '../../app/page';

/** Placeholder until the journey page lands (issue 17, item 2). */
export function JourneyPage({ params }: PageProps) {
  return (
    <section>
      <h1>Journey {params.journeyId}</h1>
    </section>
  );
}
