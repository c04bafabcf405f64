/**
 * The policy core in the browser: assets/web/session_warden_web.js (wasm-bindgen, built from crates/web),
 * the same Rust code the server's engine runs, so the simulator's verdicts are the engine's own.
 */

let loading = null;

/**
 * Loads the module once. Resolves to ask(op, args) → the reply ({ok} or {error: {code, message}}).
 *
 * @param {string} moduleUrl URL of session_warden_web.js.
 */
export function loadEngine( moduleUrl ) {
	if ( ! moduleUrl ) {
		return Promise.reject( new Error( 'no browser engine in this copy of the plugin' ) );
	}
	if ( ! loading ) {
		loading = import( /* webpackIgnore: true */ moduleUrl ).then( async ( mod ) => {
			// The module finds its .wasm beside itself (import.meta.url).
			await mod.default();
			return ( op, args ) => JSON.parse( mod.handle_json( JSON.stringify( { op, args } ) ) );
		} );
		loading.catch( () => {
			loading = null;
		} );
	}
	return loading;
}
