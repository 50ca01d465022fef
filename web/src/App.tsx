// The app: the session decides between the sign-in page and the console; the route picks the
// page. Pages are loaded on demand (React.lazy), so the first load carries only the shell.
import { lazy, Suspense, useEffect, useMemo, useRef } from "react";
import type { ComponentType, LazyExoticComponent } from "react";
import { Provider } from "urql";
import { AuthProvider, useAuth, useSession } from "./auth/AuthContext";
import { makeClient } from "./client";
import type { Config } from "./config";
import { Layout } from "./Layout";
import { navigate, routeOf, usePath, type Route } from "./router";
import { SignInPage } from "./pages/SignInPage";
import { NotFoundPage } from "./pages/NotFoundPage";

const UsersPage = lazy(() => import("./pages/users/UsersPage"));
const UserPage = lazy(() => import("./pages/users/UserPage"));
const RolesPage = lazy(() => import("./pages/RolesPage"));
const AuthorizationsPage = lazy(() => import("./pages/AuthorizationsPage"));
const GroupsPage = lazy(() => import("./pages/GroupsPage"));
const AccessPage = lazy(() => import("./pages/AccessPage"));
const ReplayPage = lazy(() => import("./pages/ReplayPage"));
const MyAccountPage = lazy(() => import("./pages/MyAccountPage"));

type Page = LazyExoticComponent<ComponentType<{ route: Route }>>;

const ADMIN_PAGES: Partial<Record<Route["page"], Page>> = {
  users: UsersPage,
  user: UserPage,
  roles: RolesPage,
  authorizations: AuthorizationsPage,
  groups: GroupsPage,
  access: AccessPage,
  replay: ReplayPage,
};

export function App({ config }: { config: Config }) {
  return (
    <AuthProvider config={config}>
      <Shell />
    </AuthProvider>
  );
}

function Shell() {
  const { session, pending } = useAuth();
  if (pending) return <p role="status">Signing in…</p>;
  if (session === null) return <SignInPage />;
  return <SignedIn />;
}

function SignedIn() {
  const { config, signOut } = useAuth();
  const session = useSession();
  // One client per token (a new token gets a new socket); the sign-out it calls on a 401 is
  // read through a ref, so that a re-render does not make another client.
  const signOutRef = useRef(signOut);
  signOutRef.current = signOut;
  const api = useMemo(
    () => makeClient(config, session.token, () => signOutRef.current()),
    [config, session.token],
  );
  useEffect(() => () => api.dispose(), [api]);
  const route = routeOf(usePath());
  const home = session.admin ? "/users" : "/me";

  // "/" and any admin page with a user token go to the session's home page.
  const misplaced = route.page === "home" || (!session.admin && ADMIN_PAGES[route.page]);
  useEffect(() => {
    if (misplaced) navigate(home, { replace: true });
  }, [misplaced, home]);
  if (misplaced) return null;

  const Page: Page | undefined = route.page === "me" ? MyAccountPage : ADMIN_PAGES[route.page];
  return (
    <Provider value={api.client}>
      <Layout>
        <Suspense fallback={<p className="loading">Loading…</p>}>
          {Page ? <Page route={route} /> : <NotFoundPage />}
        </Suspense>
      </Layout>
    </Provider>
  );
}
