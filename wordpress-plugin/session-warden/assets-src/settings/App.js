/**
 * The settings screen: one document, edited on several tabs, saved at once. The engine checks every
 * field on save; its errors are shown next to their fields, counted on the tabs, and listed in a notice.
 */
import { __, _n, sprintf } from '@wordpress/i18n';
import { useCallback, useEffect, useMemo, useState } from '@wordpress/element';
import apiFetch from '@wordpress/api-fetch';
import {
	Button,
	Card,
	CardBody,
	CardHeader,
	ExternalLink,
	FormFileUpload,
	Notice,
	Spinner,
} from '@wordpress/components';
import { getIn, setIn, tabOf } from './paths.js';
import {
	ChoiceField,
	FieldErrors,
	ListField,
	NumberField,
	RoleChecks,
	TextField,
	ToggleField,
	duration,
} from './fields.js';
import { RoleRules, RuleGroup, UserRules } from './rules.js';
import Simulator, { initialSimulation } from './Simulator.js';
import { loadEngine } from './engine.js';
import { errorsAt } from './paths.js';

const API = '/session-warden/v1';

/** Objects that PHP may hand over as [] when empty. */
function normalize( doc ) {
	const obj = ( v ) => ( v && typeof v === 'object' && ! Array.isArray( v ) ? v : {} );
	const out = { ...obj( doc ) };
	for ( const key of [ 'defaults', 'bypass', 'client_ip', 'flags' ] ) {
		if ( key in out ) {
			out[ key ] = obj( out[ key ] );
		}
	}
	if ( 'notifications' in out ) {
		out.notifications = obj( out.notifications );
	}
	for ( const key of [ 'roles', 'users' ] ) {
		if ( Array.isArray( out[ key ] ) ) {
			out[ key ] = out[ key ].map( ( r ) => ( { ...obj( r ), rule: obj( obj( r ).rule ) } ) );
		}
	}
	return out;
}

const TABS = [
	{ name: 'limits', title: __( 'Limits', 'session-warden' ) },
	{ name: 'idle', title: __( 'Idle & IP rules', 'session-warden' ) },
	{ name: 'proxies', title: __( 'Proxies & detected IP', 'session-warden' ) },
	{ name: 'geo', title: __( 'Geolocation', 'session-warden' ) },
	{ name: 'notifications', title: __( 'Notifications', 'session-warden' ) },
	{ name: 'engine', title: __( 'Engine', 'session-warden' ) },
	{ name: 'retention', title: __( 'Retention', 'session-warden' ) },
	{ name: 'simulator', title: __( 'Simulator', 'session-warden' ) },
];

const errorList = ( e ) => ( Array.isArray( e?.data?.errors ) ? e.data.errors : [] );

function Section( { title, children, className = '' } ) {
	return (
		<Card className={ `sw-section ${ className }` }>
			<CardHeader>
				<h2 className="sw-section-title">{ title }</h2>
			</CardHeader>
			<CardBody>{ children }</CardBody>
		</Card>
	);
}

export default function App( { config } ) {
	const scope = config.scope;
	const [ doc, setDoc ] = useState( () => normalize( config.initial.settings ) );
	const [ saved, setSaved ] = useState( () => JSON.stringify( normalize( config.initial.settings ) ) );
	const [ meta, setMeta ] = useState( { source: config.initial.source, network: config.initial.network } );
	const [ errors, setErrors ] = useState( [] );
	const [ notice, setNotice ] = useState( null );
	const [ busy, setBusy ] = useState( false );
	const [ tab, setTab ] = useState( () => {
		const hash = window.location.hash.replace( '#', '' );
		return TABS.some( ( t ) => t.name === hash ) ? hash : 'limits';
	} );
	const [ users, setUsers ] = useState( config.users || {} );
	const [ sim, setSim ] = useState( initialSimulation );

	const dirty = JSON.stringify( doc ) !== saved;

	// Links to #geo, #simulator… (and the browser's back button) switch tabs.
	useEffect( () => {
		const follow = () => {
			const hash = window.location.hash.replace( '#', '' );
			if ( TABS.some( ( t ) => t.name === hash ) ) {
				setTab( hash );
			}
		};
		window.addEventListener( 'hashchange', follow );
		return () => window.removeEventListener( 'hashchange', follow );
	}, [] );

	// Leaving with unsaved changes asks first (reload, another admin page, closing the tab).
	useEffect( () => {
		if ( ! dirty ) {
			return undefined;
		}
		const warn = ( event ) => {
			event.preventDefault();
			event.returnValue = '';
			return '';
		};
		window.addEventListener( 'beforeunload', warn );
		return () => window.removeEventListener( 'beforeunload', warn );
	}, [ dirty ] );

	// Names for user IDs typed into per-user rules.
	const ids = ( Array.isArray( doc.users ) ? doc.users : [] ).map( ( u ) => u.user_id );
	useEffect( () => {
		for ( const id of ids ) {
			if ( Number.isInteger( id ) && id > 0 && ! ( String( id ) in users ) ) {
				setUsers( ( u ) => ( { ...u, [ String( id ) ]: '' } ) );
				apiFetch( { path: `/wp/v2/users/${ id }?context=edit&_fields=id,name,username` } )
					.then( ( u ) => setUsers( ( all ) => ( { ...all, [ String( id ) ]: u.name === u.username ? u.username : `${ u.name } (${ u.username })` } ) ) )
					.catch( () => setUsers( ( all ) => ( { ...all, [ String( id ) ]: __( 'no such user on this site', 'session-warden' ) } ) ) );
			}
		}
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ JSON.stringify( ids ) ] );

	const onChange = useCallback( ( parts, value ) => setDoc( ( d ) => setIn( d, parts, value ) ), [] );

	const selectTab = ( name ) => {
		setTab( name );
		window.history.replaceState( null, '', `#${ name }` );
	};

	const accept = ( reply, message ) => {
		const next = normalize( reply.settings );
		setDoc( next );
		setSaved( JSON.stringify( next ) );
		setMeta( { source: reply.source, network: reply.network } );
		setErrors( [] );
		setNotice( { status: 'success', message } );
	};

	const fail = ( e, fallback ) => {
		const list = errorList( e );
		setErrors( list );
		setNotice( {
			status: 'error',
			// With field errors, the server's one-line summary would repeat the list below it.
			message: list.length
				? sprintf(
						/* translators: %d: number of problems */
						_n( 'The settings were not saved: %d field needs a change (marked below).', 'The settings were not saved: %d fields need a change (marked below).', list.length, 'session-warden' ),
						list.length
				  )
				: e?.message || fallback,
			errors: list,
		} );
		if ( list.length ) {
			const first = tabOf( list[ 0 ].field );
			if ( ! list.some( ( x ) => tabOf( x.field ) === tab ) ) {
				selectTab( first );
			}
		}
	};

	const save = () => {
		setBusy( true );
		setNotice( null );
		const base = getIn( JSON.parse( saved ), [ 'version' ] );
		apiFetch( {
			path: `${ API }/settings?scope=${ scope }`,
			method: 'PUT',
			data: { settings: doc, ...( Number.isInteger( base ) ? { base_version: base } : {} ) },
		} )
			.then( ( reply ) => accept( reply, __( 'Settings saved.', 'session-warden' ) ) )
			.catch( ( e ) => fail( e, __( 'The settings were not saved.', 'session-warden' ) ) )
			.finally( () => setBusy( false ) );
	};

	const discard = () => {
		setDoc( JSON.parse( saved ) );
		setErrors( [] );
		setNotice( null );
	};

	const importFile = ( file ) => {
		if ( ! file ) {
			return;
		}
		// eslint-disable-next-line no-alert
		if ( dirty && ! window.confirm( __( 'Importing replaces the settings, and your unsaved changes on this screen are lost. Import anyway?', 'session-warden' ) ) ) {
			return;
		}
		setBusy( true );
		setNotice( null );
		file.text()
			.then( ( text ) =>
				apiFetch( {
					path: `${ API }/settings/import?scope=${ scope }`,
					method: 'POST',
					body: text,
					headers: { 'Content-Type': 'application/json' },
				} )
			)
			.then( ( reply ) =>
				accept( reply, sprintf( /* translators: %s: file name */ __( 'Imported and saved the settings from %s.', 'session-warden' ), file.name ) )
			)
			.catch( ( e ) => {
				// The errors are about the file, not the form: listed in the notice only.
				const list = errorList( e );
				setNotice( {
					status: 'error',
					message: list.length
						? sprintf(
								/* translators: 1: file name, 2: number of problems */
								_n( '%1$s was not imported: %2$d setting in it needs a change.', '%1$s was not imported: %2$d settings in it need a change.', list.length, 'session-warden' ),
								file.name,
								list.length
						  )
						: e?.message || __( 'The file was not imported.', 'session-warden' ),
					errors: list,
				} );
			} )
			.finally( () => setBusy( false ) );
	};

	const useNetwork = () => {
		// eslint-disable-next-line no-alert
		if ( ! window.confirm( __( 'Delete this site’s own settings and use the network’s settings again?', 'session-warden' ) ) ) {
			return;
		}
		setBusy( true );
		apiFetch( { path: `${ API }/settings?scope=site`, method: 'DELETE' } )
			.then( ( reply ) => accept( reply, __( 'This site uses the network’s settings again.', 'session-warden' ) ) )
			.catch( ( e ) => fail( e, __( 'The site’s settings were not reset.', 'session-warden' ) ) )
			.finally( () => setBusy( false ) );
	};

	const counts = useMemo( () => {
		const c = {};
		for ( const e of errors ) {
			const t = tabOf( e.field );
			c[ t ] = ( c[ t ] || 0 ) + 1;
		}
		return c;
	}, [ errors ] );

	const props = { doc, errors, onChange };
	const defaults = doc.defaults || {};

	return (
		<div className={ `sw-settings ${ busy ? 'is-busy' : '' }` }>
			<ScopeBanner config={ config } meta={ meta } onUseNetwork={ useNetwork } busy={ busy } />
			{ notice && (
				// A string to announce: Notice would otherwise render its children (buttons with hooks) to a string.
				<Notice status={ notice.status } onRemove={ () => setNotice( null ) } className="sw-notice" spokenMessage={ notice.message }>
					<p>{ notice.message }</p>
					{ notice.errors?.length > 0 && (
						<ul className="sw-error-list">
							{ notice.errors.map( ( e, i ) => (
								<li key={ i }>
									{ e.field ? (
										<Button variant="link" onClick={ () => selectTab( tabOf( e.field ) ) }>
											<code>{ e.field }</code>
										</Button>
									) : null }{ ' ' }
									{ e.message }
								</li>
							) ) }
						</ul>
					) }
				</Notice>
			) }
			<nav className="nav-tab-wrapper sw-tabs" role="tablist" aria-label={ __( 'Settings sections', 'session-warden' ) }>
				{ TABS.map( ( t ) => (
					<button
						type="button"
						key={ t.name }
						role="tab"
						id={ `sw-tab-${ t.name }` }
						aria-selected={ tab === t.name }
						aria-controls="sw-tab-panel"
						className={ `nav-tab ${ tab === t.name ? 'nav-tab-active' : '' }` }
						onClick={ () => selectTab( t.name ) }
					>
						{ t.title }
						{ counts[ t.name ] ? (
							<span className="sw-tab-errors" aria-label={ sprintf( /* translators: %d: number of errors */ _n( '%d error', '%d errors', counts[ t.name ], 'session-warden' ), counts[ t.name ] ) }>
								{ counts[ t.name ] }
							</span>
						) : null }
					</button>
				) ) }
			</nav>
			<div id="sw-tab-panel" role="tabpanel" aria-labelledby={ `sw-tab-${ tab }` } className={ `sw-panel sw-panel-${ tab }` }>
				{ tab === 'limits' && (
					<>
						<Section title={ __( 'Defaults for everyone', 'session-warden' ) }>
							<RuleGroup group="limits" parts={ [ 'defaults' ] } { ...props } />
						</Section>
						<Section title={ __( 'Per role', 'session-warden' ) }>
							<ChoiceField
								{ ...props }
								parts={ [ 'merge' ] }
								label={ __( 'A user with several roles gets', 'session-warden' ) }
								options={ [
									{ value: 'most_generous', label: __( 'the most generous of their roles’ rules', 'session-warden' ) },
									{ value: 'strictest', label: __( 'the strictest of their roles’ rules', 'session-warden' ) },
								] }
							/>
							<RoleRules group="limits" roles={ config.roles } { ...props } />
						</Section>
						<Section title={ __( 'Per user', 'session-warden' ) }>
							<UserRules group="limits" users={ users } { ...props } />
						</Section>
						<Section title={ __( 'Exempt from every rule', 'session-warden' ) }>
							<RoleChecks { ...props } parts={ [ 'bypass', 'roles' ] } roles={ config.roles } label={ __( 'Roles', 'session-warden' ) } />
							<ListField { ...props } parts={ [ 'bypass', 'user_ids' ] } inline numbers label={ __( 'User IDs', 'session-warden' ) } help={ __( 'Separated by commas.', 'session-warden' ) } />
						</Section>
					</>
				) }
				{ tab === 'idle' && (
					<>
						<Section title={ __( 'Defaults for everyone', 'session-warden' ) }>
							<RuleGroup group="idle" parts={ [ 'defaults' ] } { ...props } />
						</Section>
						<Section title={ __( 'Per role', 'session-warden' ) }>
							<RoleRules group="idle" roles={ config.roles } { ...props } />
						</Section>
						<Section title={ __( 'Per user', 'session-warden' ) }>
							<UserRules group="idle" users={ users } { ...props } />
						</Section>
						<Section title={ __( 'Other sign-out rules and flags', 'session-warden' ) }>
							<ToggleField { ...props } parts={ [ 'password_change_logout' ] } fallback label={ __( 'Sign out the user’s other sessions when their password changes', 'session-warden' ) } />
							<ToggleField { ...props } parts={ [ 'flags', 'ip_shift' ] } fallback label={ __( 'Flag sessions whose IP address changes', 'session-warden' ) } />
							<NumberField
								{ ...props }
								parts={ [ 'activity_interval' ] }
								max={ 3600 }
								label={ __( 'Record activity at most every (seconds)', 'session-warden' ) }
								help={ __( 'Idle sign-out is exact to this many seconds; 0 records every request (more database writes).', 'session-warden' ) }
							/>
						</Section>
					</>
				) }
				{ tab === 'proxies' && <Proxies { ...props } /> }
				{ tab === 'geo' && <Geo { ...props } canUpload={ config.geoCanUpload } maxUpload={ config.maxUpload } /> }
				{ tab === 'notifications' && (
					<Section title={ __( 'Notifications', 'session-warden' ) }>
						<ToggleField { ...props } parts={ [ 'notifications', 'limit_ended' ] } label={ __( 'E-mail users when a limit signs out one of their sessions', 'session-warden' ) } />
						<ToggleField { ...props } parts={ [ 'notifications', 'flagged' ] } label={ __( 'E-mail users when one of their sessions is flagged (new IP address or country)', 'session-warden' ) } />
						<FieldErrors errors={ errorsAt( errors, 'notifications' ) } />
						<NumberField
							{ ...props }
							parts={ [ 'idle_warning' ] }
							max={ 3600 }
							label={ __( 'Warn in the browser before an idle sign-out (seconds before)', 'session-warden' ) }
							help={ getIn( doc, [ 'idle_warning' ] ) ? duration( getIn( doc, [ 'idle_warning' ] ) ) : __( '0 means no warning; at most 3600.', 'session-warden' ) }
							placeholder="0"
						/>
					</Section>
				) }
				{ tab === 'engine' && (
					<>
						<Section title={ __( 'Engine', 'session-warden' ) }>
							<p>
								{ sprintf(
									/* translators: %s: engine mode */
									__( 'Engine selection: %s', 'session-warden' ),
									{ auto: __( 'automatic (daemon, then one process per request, then the PHP runtime)', 'session-warden' ), socket: __( 'the engine daemon', 'session-warden' ), process: __( 'one engine process per request', 'session-warden' ), runtime: __( 'the PHP WebAssembly runtime', 'session-warden' ) }[ config.engine.pinned ] || config.engine.pinned
								) }
								{ config.engine.constant ? ' ' + __( '(set in wp-config.php)', 'session-warden' ) : '' }
							</p>
							{ config.engine.lastError && (
								<Notice status="warning" isDismissible={ false }>
									{ sprintf( /* translators: %s: error message */ __( 'Last engine failure: %s', 'session-warden' ), config.engine.lastError.message ) }
								</Notice>
							) }
							<p>
								<a href={ config.engine.panelUrl }>{ __( 'Open the Session Warden Engine panel', 'session-warden' ) }</a>{ ' ' }
								{ __( '(status, round trips, daemon start and stop).', 'session-warden' ) }
							</p>
						</Section>
						<Section title={ __( 'When the engine cannot answer', 'session-warden' ) }>
							<RoleChecks
								{ ...props }
								parts={ [ 'fail_closed_roles' ] }
								roles={ config.roles }
								label={ __( 'Refuse sign-ins of these roles', 'session-warden' ) }
								help={ __( 'Everyone else may sign in without checks while the engine is down (the failure is logged and shown to administrators).', 'session-warden' ) }
							/>
						</Section>
					</>
				) }
				{ tab === 'retention' && (
					<Section title={ __( 'Retention', 'session-warden' ) }>
						<NumberField
							{ ...props }
							parts={ [ 'retention_days' ] }
							min={ 1 }
							max={ 3650 }
							label={ __( 'Keep the event log for (days)', 'session-warden' ) }
							help={ __( 'Older events are deleted once a day; 1 to 3650 days.', 'session-warden' ) }
						/>
					</Section>
				) }
				{ tab === 'simulator' && (
					<Simulator settings={ doc } roles={ config.roles } sim={ sim } setSim={ setSim } web={ config.web } />
				) }
			</div>
			<div className={ `sw-savebar ${ dirty ? 'is-dirty' : '' }` }>
				<Button variant="primary" onClick={ save } isBusy={ busy } disabled={ busy } className="sw-save">
					{ __( 'Save settings', 'session-warden' ) }
				</Button>
				{ dirty && (
					<>
						<span className="sw-unsaved" role="status">
							{ __( 'You have unsaved changes.', 'session-warden' ) }
						</span>
						<Button variant="tertiary" onClick={ discard } disabled={ busy }>
							{ __( 'Discard changes', 'session-warden' ) }
						</Button>
					</>
				) }
				<span className="sw-spacer" />
				<Button variant="secondary" href={ config.exportUrl } className="sw-export" title={ __( 'Downloads the saved settings as a JSON file.', 'session-warden' ) }>
					{ __( 'Export', 'session-warden' ) }
				</Button>
				<FormFileUpload accept=".json,application/json" onChange={ ( e ) => { importFile( e.target.files[ 0 ] ); e.target.value = ''; } } render={ ( { openFileDialog } ) => (
					<Button variant="secondary" onClick={ openFileDialog } disabled={ busy } className="sw-import">
						{ __( 'Import…', 'session-warden' ) }
					</Button>
				) } />
			</div>
		</div>
	);
}

function ScopeBanner( { config, meta, onUseNetwork, busy } ) {
	if ( ! config.multisite ) {
		return null;
	}
	if ( config.scope === 'network' ) {
		return (
			<Notice status="info" isDismissible={ false } className="sw-scope">
				{ __( 'These settings apply to every site of the network that has not saved settings of its own.', 'session-warden' ) }
			</Notice>
		);
	}
	if ( meta.source === 'site' ) {
		const ownText = meta.network
			? __( 'This site has its own settings; the network’s settings do not apply here.', 'session-warden' )
			: __( 'This site has its own settings.', 'session-warden' );
		return (
			<Notice status="info" isDismissible={ false } className="sw-scope" spokenMessage={ ownText }>
				{ ownText }{ ' ' }
				{ meta.network && (
					<Button variant="secondary" onClick={ onUseNetwork } disabled={ busy } className="sw-use-network">
						{ __( 'Use the network’s settings', 'session-warden' ) }
					</Button>
				) }
			</Notice>
		);
	}
	const text =
		meta.source === 'network'
			? __( 'This site uses the network’s settings. Saving here gives this site settings of its own.', 'session-warden' )
			: __( 'Nothing is saved yet: the defaults apply. Saving here gives this site settings of its own.', 'session-warden' );
	return (
		<Notice status="info" isDismissible={ false } className="sw-scope" spokenMessage={ text }>
			{ text }{ ' ' }
			{ config.networkUrl && <a href={ config.networkUrl }>{ __( 'Edit the network’s settings', 'session-warden' ) }</a> }
		</Notice>
	);
}

/** Proxies, and what the engine makes of the request that loaded this screen. */
function Proxies( { doc, errors, onChange } ) {
	const props = { doc, errors, onChange };
	const [ seen, setSeen ] = useState( null );
	const [ problem, setProblem ] = useState( '' );
	const [ unsaved, setUnsaved ] = useState( null );
	const header = getIn( doc, [ 'client_ip', 'header' ] ) || '';
	const clientIp = doc.client_ip || {};
	const mode = clientIp.mode || 'auto';

	const check = () => {
		setProblem( '' );
		apiFetch( { path: `${ API }/settings/detected-ip?header=${ encodeURIComponent( header ) }` } )
			.then( setSeen )
			.catch( ( e ) => setProblem( e.message ) );
	};
	useEffect( check, [] ); // eslint-disable-line react-hooks/exhaustive-deps

	// The same facts under the settings on screen, in the browser engine.
	useEffect( () => {
		if ( ! seen ) {
			return;
		}
		loadEngine( window.sessionWardenSettings?.web )
			.then( ( ask ) => {
				const reply = ask( 'resolve_client_ip', { settings: clientIp, remote_addr: seen.facts.remote_addr, headers: seen.facts.headers } );
				setUnsaved( reply );
			} )
			.catch( () => setUnsaved( null ) );
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [ seen, JSON.stringify( clientIp ) ] );

	return (
		<>
			<Section title={ __( 'Reverse proxies', 'session-warden' ) }>
				<ChoiceField
					{ ...props }
					parts={ [ 'client_ip', 'mode' ] }
					label={ __( 'Find the visitor’s address', 'session-warden' ) }
					options={ [
						{ value: 'auto', label: __( 'Automatically: forwarding headers, believed only from trusted proxies', 'session-warden' ) },
						{ value: 'header', label: __( 'From one header my proxy sets', 'session-warden' ) },
						{ value: 'remote_addr', label: __( 'The connection’s address only (no proxy)', 'session-warden' ) },
					] }
				/>
				{ ( mode === 'header' || header ) && (
					<TextField { ...props } parts={ [ 'client_ip', 'header' ] } label={ __( 'Header name', 'session-warden' ) } placeholder="X-Forwarded-For" />
				) }
				<ListField
					{ ...props }
					parts={ [ 'client_ip', 'trusted_proxies' ] }
					label={ __( 'Trusted proxies', 'session-warden' ) }
					help={ __( 'Addresses or ranges of your load balancers and CDN, one per line. Forwarding headers from anyone else are ignored, so they cannot be spoofed.', 'session-warden' ) }
				/>
			</Section>
			<Section title={ __( 'Detected IP address', 'session-warden' ) } className="sw-detected">
				{ problem && <Notice status="error" isDismissible={ false }>{ problem }</Notice> }
				{ ! seen && ! problem && <Spinner /> }
				{ seen && (
					<>
						<table className="widefat striped sw-facts">
							<tbody>
								<tr>
									<th scope="row">{ __( 'Connection from', 'session-warden' ) }</th>
									<td><code>{ seen.facts.remote_addr || '—' }</code></td>
								</tr>
								{ seen.facts.headers.map( ( h, i ) => (
									<tr key={ i }>
										<th scope="row">{ h.name }</th>
										<td><code>{ h.value }</code></td>
									</tr>
								) ) }
								<tr className="sw-detected-saved">
									<th scope="row">{ __( 'Your address, with the saved settings', 'session-warden' ) }</th>
									<td>
										<strong className="sw-detected-ip">{ seen.client.ip || '—' }</strong> <span className="sw-muted">({ seen.client.source }{ seen.client.note ? `: ${ seen.client.note }` : '' })</span>
										{ seen.country ? ` · ${ seen.country }` : '' }
									</td>
								</tr>
								{ unsaved && unsaved.ok && (
									<tr className="sw-detected-unsaved">
										<th scope="row">{ __( 'With the settings on this screen', 'session-warden' ) }</th>
										<td>
											<strong>{ unsaved.ok.ip || '—' }</strong> <span className="sw-muted">({ unsaved.ok.source }{ unsaved.ok.note ? `: ${ unsaved.ok.note }` : '' })</span>
										</td>
									</tr>
								) }
								<tr>
									<th scope="row">{ __( 'Your browser', 'session-warden' ) }</th>
									<td>{ seen.device.label }</td>
								</tr>
							</tbody>
						</table>
						<p>
							<Button variant="secondary" onClick={ check }>{ __( 'Check again', 'session-warden' ) }</Button>
						</p>
					</>
				) }
			</Section>
		</>
	);
}

/** The country database: upload, build date, country-anomaly flag. */
function Geo( { doc, errors, onChange, canUpload, maxUpload } ) {
	const [ geo, setGeo ] = useState( null );
	const [ busy, setBusy ] = useState( false );
	const [ problem, setProblem ] = useState( '' );
	const load = () => apiFetch( { path: `${ API }/settings/geo` } ).then( setGeo ).catch( ( e ) => setProblem( e.message ) );
	useEffect( () => {
		load();
	}, [] ); // eslint-disable-line react-hooks/exhaustive-deps

	const upload = ( file ) => {
		if ( ! file ) {
			return;
		}
		if ( file.size > maxUpload ) {
			setProblem( sprintf( /* translators: %d: megabytes */ __( 'The file is larger than this server accepts for uploads (%d MB).', 'session-warden' ), Math.floor( maxUpload / 1048576 ) ) );
			return;
		}
		const body = new window.FormData();
		body.append( 'file', file, file.name );
		setBusy( true );
		setProblem( '' );
		apiFetch( { path: `${ API }/settings/geo`, method: 'POST', body } )
			.then( setGeo )
			.catch( ( e ) => setProblem( e.message ) )
			.finally( () => setBusy( false ) );
	};
	const remove = () => {
		setBusy( true );
		apiFetch( { path: `${ API }/settings/geo`, method: 'DELETE' } )
			.then( setGeo )
			.catch( ( e ) => setProblem( e.message ) )
			.finally( () => setBusy( false ) );
	};
	const sources = {
		none: __( 'No country database: country limits and country flags are off.', 'session-warden' ),
		upload: __( 'The uploaded country database is used.', 'session-warden' ),
		constant: __( 'wp-config.php names the country database (SESSION_WARDEN_GEO_DB); an upload here would not be used.', 'session-warden' ),
		filter: __( 'A plugin or theme names the country database (session_warden_geo_db filter).', 'session-warden' ),
	};
	return (
		<>
			<Section title={ __( 'Country database', 'session-warden' ) } className="sw-geo">
				{ problem && <Notice status="error" onRemove={ () => setProblem( '' ) }>{ problem }</Notice> }
				{ ! geo && ! problem && <Spinner /> }
				{ geo && (
					<>
						<p className="sw-geo-source" data-source={ geo.source }>{ sources[ geo.source ] }</p>
						{ geo.info && (
							<table className="widefat striped sw-geo-info">
								<tbody>
									<tr><th scope="row">{ __( 'File', 'session-warden' ) }</th><td><code>{ geo.file }</code></td></tr>
									<tr><th scope="row">{ __( 'Database', 'session-warden' ) }</th><td>{ geo.info.database_type }</td></tr>
									<tr><th scope="row">{ __( 'Built on', 'session-warden' ) }</th><td className="sw-geo-date">{ geo.info.build_date }</td></tr>
									<tr><th scope="row">{ __( 'IP versions', 'session-warden' ) }</th><td>{ geo.info.ip_version === 6 ? 'IPv4 + IPv6' : 'IPv4' }</td></tr>
								</tbody>
							</table>
						) }
						{ geo.error && <Notice status="error" isDismissible={ false }>{ geo.error }</Notice> }
						{ canUpload ? (
							<p className="sw-geo-actions">
								<FormFileUpload accept=".mmdb" onChange={ ( e ) => { upload( e.target.files[ 0 ] ); e.target.value = ''; } } render={ ( { openFileDialog } ) => (
									<Button variant="secondary" onClick={ openFileDialog } isBusy={ busy } disabled={ busy } className="sw-geo-upload">
										{ geo.uploaded ? __( 'Replace the database…', 'session-warden' ) : __( 'Upload a database (.mmdb)…', 'session-warden' ) }
									</Button>
								) } />{ ' ' }
								{ geo.uploaded && (
									<Button variant="tertiary" isDestructive onClick={ remove } disabled={ busy }>
										{ __( 'Remove the uploaded database', 'session-warden' ) }
									</Button>
								) }
							</p>
						) : (
							<p className="sw-muted">{ __( 'The network administrator manages the country database.', 'session-warden' ) }</p>
						) }
						<p className="sw-help">
							{ __( 'A MaxMind-format country database, such as the free GeoLite2 Country. It is kept in wp-content/session-warden/, closed to web access.', 'session-warden' ) }{ ' ' }
							<ExternalLink href="https://dev.maxmind.com/geoip/geolite2-free-geolocation-data">{ __( 'GeoLite2 downloads', 'session-warden' ) }</ExternalLink>
						</p>
					</>
				) }
			</Section>
			<Section title={ __( 'Country flags', 'session-warden' ) }>
				<ToggleField doc={ doc } errors={ errors } onChange={ onChange } parts={ [ 'flags', 'country_anomaly' ] } fallback label={ __( 'Flag sessions that start from an unusual country for the user', 'session-warden' ) } />
			</Section>
		</>
	);
}
