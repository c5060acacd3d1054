import type { RouteEntry } from './page';
import { JourneyListPage } from '../pages/journeys/JourneyListPage';
import { JourneyPage } from '../pages/journeys/JourneyPage';
import { ReportPage } from '../pages/reports/ReportPage';
import { UserPage } from '../pages/users/UserPage';
import { DryRunPage } from '../pages/dry-run/DryRunPage';
import { ContentPage } from '../pages/content/ContentPage';
import { ExperimentPage } from '../pages/experiments/ExperimentPage';

/**
 * Every page of the console, one line each, first match wins. Pages add their line here and nothing else in app/.
 * `nav: true` puts the page in the header's navigation, in this order.
 */
export const routes: RouteEntry[] = [
  { path: '/journeys', title: 'Journeys', page: JourneyListPage, nav: true },
  { path: '/journeys/:journeyId', title: 'Journey', page: JourneyPage },
  { path: '/journeys/:journeyId/report', title: 'Report', page: ReportPage },
  { path: '/journeys/:journeyId/versions/:version/content', title: 'Content', page: ContentPage },
  { path: '/journeys/:journeyId/versions/:version/experiments/:nodeId', title: 'Experiment', page: ExperimentPage },
  { path: '/users', title: 'Users', page: UserPage, nav: true },
  { path: '/users/:userId', title: 'User', page: UserPage },
  { path: '/dry-run', title: 'Dry run', page: DryRunPage, nav: true },
];
