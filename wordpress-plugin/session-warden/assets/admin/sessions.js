/**
 * Session Warden: the Sessions screen. The page works without this script; it only asks before the
 * actions that sign many people out (buttons carrying data-sw-confirm), and stops a form being sent twice.
 */
( function () {
	'use strict';
	document.addEventListener( 'click', function ( event ) {
		var target = event.target instanceof Element ? event.target : null;
		var button = target && target.closest( 'button[data-sw-confirm]' );
		if ( button && ! window.confirm( button.getAttribute( 'data-sw-confirm' ) ) ) {
			event.preventDefault();
		}
	} );
	document.addEventListener( 'submit', function ( event ) {
		var form = event.target;
		if ( ! ( form instanceof HTMLFormElement ) || ! form.closest( '#session-warden-sessions' ) ) {
			return;
		}
		if ( form.hasAttribute( 'data-sw-sent' ) ) {
			event.preventDefault();
			return;
		}
		form.setAttribute( 'data-sw-sent', '' );
	} );
	// A page restored from the back/forward cache must accept its forms again.
	window.addEventListener( 'pageshow', function () {
		Array.prototype.forEach.call( document.querySelectorAll( 'form[data-sw-sent]' ), function ( form ) {
			form.removeAttribute( 'data-sw-sent' );
		} );
	} );
}() );
