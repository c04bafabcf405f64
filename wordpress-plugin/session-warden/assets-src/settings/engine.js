/**
 * The policy core in the browser: assets/web/session_warden_web.js (wasm-bindgen, built from crates/web),
 * the same Rust code the server's engine runs, so the simulator's verdicts are the engine's own.
 */

let loading = null;

/**
 * Loads the module once. Resolves to ask(op, args) → the reply ({ok} or {error: {code, message}}).
 *
 * @param {?{module: string, wasm: string}} web URLs of session_warden_web.js and its .wasm, each with
 *                                              the same cache buster (a new .js must not meet an old .wasm).
 */
export function loadEngine( web ) {
	const moduleUrl = web?.module;
	if ( ! moduleUrl ) {
		return Promise.reject( new Error( 'no browser engine in this copy of the plugin' ) );
	}
	if ( ! loading ) {
		loading = import( /* webpackIgnore: true */ moduleUrl ).then( async ( mod ) => {
			await mod.default( web.wasm ? { module_or_path: web.wasm } : undefined );
			return ( op, args ) => JSON.parse( mod.handle_json( JSON.stringify( { op, args } ) ) );
		} );
		loading.catch( () => {
			loading = null;
		} );
	}
	return loading;
}
