/**
 * Session Warden settings screen: mounts the app on #session-warden-settings-root with the data
 * Settings_Screen::boot_data() printed as window.sessionWardenSettings.
 */
import { createRoot, render } from '@wordpress/element';
import App from './App.js';
import './settings.scss';

function mount() {
	const el = document.getElementById( 'session-warden-settings-root' );
	const config = window.sessionWardenSettings;
	if ( ! el || ! config ) {
		return;
	}
	const app = <App config={ config } />;
	// createRoot is React 18 (WordPress 6.2+); WordPress 6.1 ships React 17 and render().
	if ( typeof createRoot === 'function' ) {
		createRoot( el ).render( app );
	} else {
		render( app, el );
	}
}

if ( document.readyState === 'loading' ) {
	document.addEventListener( 'DOMContentLoaded', mount );
} else {
	mount();
}
