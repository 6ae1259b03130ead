import { CONSOLE_SECTIONS, ConsoleLayout } from './layout.js';

export interface ConsoleHomePageProps {
  email: string;
  csrf: string;
  /** The request's path: the nav marks its section (aria-current). */
  path?: string | undefined;
}

/** The console's home: for now, the sections it will have (issue 17). */
export function ConsoleHomePage({ email, csrf, path }: ConsoleHomePageProps) {
  return (
    <ConsoleLayout title="Home" email={email} csrf={csrf} path={path}>
      <h1>Admin console</h1>
      <section class="section" aria-labelledby="sections-heading">
        <h2 id="sections-heading">Sections</h2>
        <ul class="item-list">
          {CONSOLE_SECTIONS.map((s) => (
            <li class="item">
              <div class="item-main">
                <span class="item-title">{s.name}</span>
                <span class="item-meta">{s.about}</span>
              </div>
            </li>
          ))}
        </ul>
      </section>
    </ConsoleLayout>
  );
}
