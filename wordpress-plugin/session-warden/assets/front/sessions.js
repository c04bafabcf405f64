/**
 * Session Warden: "your sessions" lists (the front-end block and shortcode, and the profile section).
 *
 * The lists are rendered by PHP and work without this script (each End button is a small form or a
 * nonce'd link to admin-post.php). With it, the buttons call the REST API instead
 * (DELETE users/{id|me}/sessions/{sid}, POST users/{id|me}/sessions/end-others) and the page stays put:
 * the ended rows disappear from every list on the page, because one page can hold several lists.
 * Configuration (REST root, wp_rest nonce, words) is window.sessionWardenSessions, printed by PHP.
 */
( function () {
	'use strict';

	var config = window.sessionWardenSessions;
	if ( ! config || ! window.fetch ) {
		return; // The forms and links keep working on their own.
	}
	var words = config.i18n || {};

	function request( method, path ) {
		var headers = { 'X-WP-Nonce': config.nonce, Accept: 'application/json' };
		var verb = method;
		if ( 'DELETE' === method ) {
			// Some servers and proxies refuse DELETE; WordPress reads the override header on a POST.
			headers[ 'X-HTTP-Method-Override' ] = 'DELETE';
			verb = 'POST';
		}
		return window.fetch( config.root + path, { method: verb, credentials: 'same-origin', headers: headers } ).then( function ( response ) {
			return response.json().catch( function () {
				return {};
			} ).then( function ( body ) {
				return { status: response.status, ok: response.ok, body: body || {} };
			} );
		} );
	}

	function lists( user ) {
		return Array.prototype.filter.call( document.querySelectorAll( '[data-sw-sessions]' ), function ( list ) {
			return undefined === user || list.getAttribute( 'data-sw-user' ) === user;
		} );
	}

	function say( list, text, isError ) {
		var status = list.querySelector( '.sw-sessions__status' );
		if ( ! status ) {
			return;
		}
		status.textContent = text;
		status.classList.toggle( 'is-error', !! isError );
		status.setAttribute( 'tabindex', '-1' );
	}

	// Rows, in every list on the page, that match: one session id, or every non-current row of a user.
	function removeRows( sessionId, user ) {
		var moveFocus = false;
		lists( user ).forEach( function ( list ) {
			Array.prototype.forEach.call( list.querySelectorAll( '[data-sw-session]' ), function ( row ) {
				var match = sessionId ? row.getAttribute( 'data-sw-session' ) === sessionId : ! row.classList.contains( 'is-current' );
				if ( match ) {
					moveFocus = moveFocus || row.contains( document.activeElement );
					row.parentNode.removeChild( row );
				}
			} );
			refresh( list );
		} );
		return moveFocus;
	}

	// Empty-state text and the "everywhere else" control follow what is left in the list.
	function refresh( list ) {
		var others = list.querySelectorAll( '[data-sw-session]:not(.is-current)' ).length;
		Array.prototype.forEach.call( list.querySelectorAll( '[data-sw-empty]' ), function ( el ) {
			el.hidden = others > 0;
		} );
		Array.prototype.forEach.call( list.querySelectorAll( '[data-sw-others]' ), function ( el ) {
			el.hidden = 0 === others;
		} );
		var count = list.querySelector( '[data-sw-count]' );
		if ( count ) {
			count.textContent = String( list.querySelectorAll( '[data-sw-session]' ).length );
		}
	}

	function failure( list, result ) {
		var code = result.body && result.body.code;
		if ( 'rest_cookie_invalid_nonce' === code ) {
			say( list, words.expired, true );
		} else {
			say( list, words.failed + ' ' + ( ( result.body && result.body.message ) || String( result.status ) ), true );
		}
	}

	function busy( button, on ) {
		button.disabled = on;
		button.setAttribute( 'aria-busy', on ? 'true' : 'false' );
		if ( on ) {
			button.setAttribute( 'data-sw-label', button.textContent );
			button.textContent = words.ending;
		} else if ( button.hasAttribute( 'data-sw-label' ) ) {
			button.textContent = button.getAttribute( 'data-sw-label' );
		}
	}

	function endOne( list, button ) {
		var user = list.getAttribute( 'data-sw-user' );
		var id = button.getAttribute( 'data-sw-end' );
		busy( button, true );
		request( 'DELETE', 'users/' + encodeURIComponent( user ) + '/sessions/' + encodeURIComponent( id ) ).then( function ( result ) {
			if ( result.ok || 404 === result.status ) {
				var focus = removeRows( id, user );
				say( list, result.ok ? words.ended : words.gone, false );
				if ( focus ) {
					list.querySelector( '.sw-sessions__status' ).focus();
				}
				return;
			}
			busy( button, false );
			failure( list, result );
		}, function () {
			busy( button, false );
			say( list, words.network, true );
		} );
	}

	function endOthers( list, button ) {
		var user = list.getAttribute( 'data-sw-user' );
		var own = 'me' === user;
		if ( ! window.confirm( own ? words.confirmAll : words.confirmUser ) ) {
			return;
		}
		busy( button, true );
		request( 'POST', 'users/' + encodeURIComponent( user ) + '/sessions/end-others' ).then( function ( result ) {
			busy( button, false );
			if ( ! result.ok ) {
				failure( list, result );
				return;
			}
			var ended = Number( result.body.ended ) || 0;
			removeRows( null, user );
			var text = own ? ( 1 === ended ? words.endedOther1 : words.endedOthers ) : ( 1 === ended ? words.endedAll1 : words.endedAll );
			say( list, String( text ).replace( '%d', String( ended ) ), false );
			list.querySelector( '.sw-sessions__status' ).focus();
		}, function () {
			busy( button, false );
			say( list, words.network, true );
		} );
	}

	document.addEventListener( 'click', function ( event ) {
		var target = event.target instanceof Element ? event.target : null;
		var button = target && target.closest( '[data-sw-end], [data-sw-end-others]' );
		var list = button && button.closest( '[data-sw-sessions]' );
		if ( ! list || button.disabled ) {
			return;
		}
		event.preventDefault();
		if ( button.hasAttribute( 'data-sw-end' ) ) {
			endOne( list, button );
		} else {
			endOthers( list, button );
		}
	} );

	lists().forEach( function ( list ) {
		list.classList.add( 'is-enhanced' );
	} );
}() );
