/**
 * The whole window when the web host refuses this page (no token, or an old one): what happened and the one
 * thing to do, instead of an empty machine list under a banner. The page stops asking the host (client.ts).
 */
export function SignedOut() {
  return (
    <main className="signed-out" aria-labelledby="signed-out-title">
      <img src="./icon.svg" alt="" width={48} height={48} />
      <h1 id="signed-out-title">This page is not signed in to Burrow</h1>
      <p>
        Burrow's web host lets in only the browser that opens the address it printed, with its private token. This page came without one, or with one from an
        earlier start: a token changes each time <code>burrow serve</code> starts.
      </p>
      <h2>To continue</h2>
      <ol>
        <li>
          Open the address that <code>burrow serve</code> printed, the one that ends in <code>?token=…</code>.
        </li>
        <li>
          Closed it, or stopped the host? Run <code>burrow serve</code> again (or <code>npm start</code>): it prints a new address and opens it.
        </li>
      </ol>
      <p className="hint">Your machines are not affected: they keep running without the window.</p>
    </main>
  );
}
