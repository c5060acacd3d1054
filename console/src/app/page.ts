import type { ComponentType } from 'react';

/** What every page receives from the router. */
export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface RouteEntry {
  /** `/journeys/:journeyId`: `:name` segments become params. */
  path: string;
  /** The document title and, with `nav`, the navigation label. */
  title: string;
  page: ComponentType<PageProps>;
  /** Listed in the header's navigation. */
  nav?: boolean;
}
