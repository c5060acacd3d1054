import type { NodeType } from './graph-layout';

/** A node type's icon: inline SVG (no icon font, no request), drawn with the current text colour. */
export function NodeIcon({ type }: { type: NodeType | 'entry' }) {
  return (
    <svg
      className="node-icon"
      viewBox="0 0 24 24"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {shape(type)}
    </svg>
  );
}

function shape(type: NodeType | 'entry') {
  switch (type) {
    case 'entry':
      return <path d="M7 4l12 8-12 8z" />;
    case 'message':
      return (
        <>
          <rect x="3" y="5" width="18" height="14" rx="2" />
          <path d="M3 7l9 6 9-6" />
        </>
      );
    case 'delay':
      return (
        <>
          <circle cx="12" cy="12" r="9" />
          <path d="M12 7v5l3 3" />
        </>
      );
    case 'waitForEvent':
      return <path d="M6 3h12M6 21h12M7 3c0 5 10 6 10 9s-10 4-10 9M17 3c0 5-10 6-10 9s10 4 10 9" />;
    case 'waitForEvents':
      return <path d="M5 3h10M5 21h10M6 3c0 5 8 6 8 9s-8 4-8 9M14 3c0 5-8 6-8 9M18 8v8M21 12h-6" />;
    case 'split':
      return <path d="M12 3v6M12 9l-7 7v5M12 9l7 7v5" />;
    case 'experiment':
      return <path d="M9 3h6M10 3v6l-6 10a2 2 0 0 0 2 3h12a2 2 0 0 0 2-3l-6-10V3M7 15h10" />;
    case 'updateProfile':
      return (
        <>
          <circle cx="12" cy="8" r="4" />
          <path d="M4 21c1-4 4-6 8-6s7 2 8 6" />
        </>
      );
    case 'enterJourney':
      return <path d="M14 4h5a1 1 0 0 1 1 1v14a1 1 0 0 1-1 1h-5M3 12h11M10 8l4 4-4 4" />;
    case 'exit':
      return (
        <>
          <rect x="5" y="5" width="14" height="14" rx="2" />
          <path d="M9 9l6 6M15 9l-6 6" />
        </>
      );
  }
}
