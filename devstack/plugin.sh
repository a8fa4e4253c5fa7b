#!/bin/bash
# glance-sync devstack plugin: the Glance paste filter in the master
# glance-api, the glance-sync daemon and its REST API, and optionally a
# second region to synchronise to. See devstack/settings for the knobs.
#
# Every function is safe to call on its own (tests source this file with
# stubs of devstack's helpers and call the config writers).

# Save trace setting
_XTRACE_GLANCE_SYNC=$(set +o | grep xtrace)
set +o xtrace

GLANCE_SYNC_FILTER=glance_sync
GLANCE_SYNC_FILTER_FACTORY=glance_sync.glance_plugin.filter:filter_factory

# install_glance_sync: the package, in devstack's virtualenv or system
function install_glance_sync {
    setup_develop "$GLANCE_SYNC_DIR"
    if [[ "$GLANCE_SYNC_SECOND_REGION" == "True" ]]; then
        # The second region's glance-api runs under gunicorn.
        pip_install gunicorn
    fi
}

# glance_sync_bin: where pip put the console scripts
function glance_sync_bin {
    if [[ -n "${PROJECT_VENV[glance-sync]:-}" ]]; then
        echo "${PROJECT_VENV[glance-sync]}/bin"
    else
        echo "$(get_python_exec_prefix)"
    fi
}

# configure_glance_sync_paste FILE: the filter after "context" in every
# keystone flavour of glance-api's paste ini ("keystone = ..." lines of
# [composite:api], or "pipeline = ..." in older inis); idempotent
function configure_glance_sync_paste {
    local paste_ini=$1
    local f=$GLANCE_SYNC_FILTER
    iniset "$paste_ini" "filter:$f" paste.filter_factory \
        "$GLANCE_SYNC_FILTER_FACTORY"
    sed -i -E "/^(keystone[^ =]*|pipeline) *=/ {
        / context $f( |\$)/! s/ context( |\$)/ context $f\1/
    }" "$paste_ini"
}

# configure_glance_sync_glance FILE: glance-api.conf of the master, the
# settings of etc/glance-sync/glance-api.snippet.conf (the install
# guide's), with devstack's broker: the plugin's own transport and durable
# queues. glance's own notifications are not needed by the plugin.
function configure_glance_sync_glance {
    local glance_conf=$1
    iniset "$glance_conf" glance_sync transport_url "$(get_transport_url)"
    iniset "$glance_conf" oslo_messaging_rabbit amqp_durable_queues true
}

# glance_sync_journal_url: the journal's database URL
function glance_sync_journal_url {
    if [[ "$GLANCE_SYNC_JOURNAL_BACKEND" == "sqlite" ]]; then
        echo "sqlite:///$GLANCE_SYNC_STATE_DIR/journal.sqlite"
    else
        database_connection_url glance_sync
    fi
}

# write_glance_sync_conf: glance-sync.conf with the devstack regions
function write_glance_sync_conf {
    local conf=$GLANCE_SYNC_CONF
    mkdir -p "$(dirname "$conf")" "$GLANCE_SYNC_STATE_DIR"
    rm -f "$conf"
    iniset "$conf" DEFAULT debug "$ENABLE_DEBUG_LOG_LEVEL"
    # etc/glance-sync/glance-sync-messaging.snippet.conf
    iniset "$conf" DEFAULT transport_url "$(get_transport_url)"
    iniset "$conf" oslo_messaging_rabbit amqp_durable_queues true
    iniset "$conf" sync master_region "$REGION_NAME"
    iniset "$conf" sync targets master
    iniset "$conf" target:master auth_type password
    iniset "$conf" target:master auth_url "$KEYSTONE_SERVICE_URI/v3"
    iniset "$conf" target:master username "$GLANCE_SYNC_SERVICE_USER"
    iniset "$conf" target:master password "$SERVICE_PASSWORD"
    # The account works in the admin project; the images it selects are
    # those of the master projects (admin's cirros, demo's uploads), and
    # every copy in RegionTwo keeps its master image's owner.
    iniset "$conf" target:master project_name "$GLANCE_SYNC_PROJECT_NAME"
    iniset "$conf" target:master user_domain_name "$SERVICE_DOMAIN_NAME"
    iniset "$conf" target:master project_domain_name \
        "$GLANCE_SYNC_PROJECT_DOMAIN_NAME"
    iniset "$conf" target:master master_projects \
        "$GLANCE_SYNC_MASTER_PROJECTS"
    iniset "$conf" target:master copy_owner master
    iniset "$conf" target:master metadata_condition \
        "$GLANCE_SYNC_METADATA_CONDITION"
    iniset "$conf" database connection "$(glance_sync_journal_url)"
    iniset "$conf" daemon reconcile_interval "$GLANCE_SYNC_RECONCILE_INTERVAL"
    iniset "$conf" api bind_host "$GLANCE_SYNC_API_HOST"
    iniset "$conf" api bind_port "$GLANCE_SYNC_API_PORT"
    configure_keystone_authtoken_middleware "$conf" "$GLANCE_SYNC_SERVICE_USER"
    if [[ -n "${REDIS_HOST:-}" ]]; then
        iniset "$conf" coordination backend_url \
            "redis://$REDIS_HOST:6379?namespace=glance_sync"
    fi
}

# init_glance_sync: the service account and the journal's tables
function init_glance_sync {
    create_service_user "$GLANCE_SYNC_SERVICE_USER" admin
    # admin on the project whose images it synchronises (and owns the
    # copies in): it must list, create and upload images there.
    get_or_add_user_project_role admin "$GLANCE_SYNC_SERVICE_USER" \
        "$GLANCE_SYNC_PROJECT_NAME" "$SERVICE_DOMAIN_NAME" \
        "$GLANCE_SYNC_PROJECT_DOMAIN_NAME" >/dev/null
    if [[ "$GLANCE_SYNC_JOURNAL_BACKEND" != "sqlite" ]]; then
        recreate_database glance_sync
    fi
    "$(glance_sync_bin)/glance-sync-manage" --config-file "$GLANCE_SYNC_CONF" \
        db sync
}

# write_glance_sync_region2_conf: a copy of glance-api.conf for region 2
function write_glance_sync_region2_conf {
    local dir=$GLANCE_SYNC_REGION2_DIR
    mkdir -p "$dir/etc" "$dir/images" "$dir/staging" "$dir/tasks"
    cp "$GLANCE_API_CONF" "$dir/etc/glance-api.conf"
    cp "$GLANCE_API_PASTE_INI" "$dir/etc/glance-api-paste.ini"
    local conf=$dir/etc/glance-api.conf
    local url="$GLANCE_SERVICE_PROTOCOL://$SERVICE_HOST:$GLANCE_SYNC_REGION2_PORT"
    iniset "$conf" DEFAULT enabled_backends local:file
    iniset "$conf" DEFAULT worker_self_reference_url "$url"
    iniset "$conf" DEFAULT public_endpoint "$url"
    iniset "$conf" glance_store default_backend local
    iniset "$conf" local filesystem_store_datadir "$dir/images"
    iniset "$conf" os_glance_staging_store filesystem_store_datadir "$dir/staging"
    iniset "$conf" os_glance_tasks_store filesystem_store_datadir "$dir/tasks"
    iniset "$conf" database connection "sqlite:///$dir/glance.sqlite"
    iniset "$conf" paste_deploy config_file "$dir/etc/glance-api-paste.ini"
    # Region 2 is a target, not the master: no glance-sync filter there.
    sed -i -E "s/ context $GLANCE_SYNC_FILTER( |\$)/ context\1/" \
        "$dir/etc/glance-api-paste.ini"
}

# create_glance_sync_region2: the second glance-api, its endpoint
function create_glance_sync_region2 {
    write_glance_sync_region2_conf
    local dir=$GLANCE_SYNC_REGION2_DIR
    local url="$GLANCE_SERVICE_PROTOCOL://$SERVICE_HOST:$GLANCE_SYNC_REGION2_PORT"
    glance-manage --config-file "$dir/etc/glance-api.conf" db_sync
    get_or_create_region "$GLANCE_SYNC_REGION2_NAME"
    get_or_create_endpoint image "$GLANCE_SYNC_REGION2_NAME" "$url"
    run_process glance-sync-region2 "$(glance_sync_bin)/gunicorn -k gthread \
        -w 1 --threads 4 -b $SERVICE_LISTEN_ADDRESS:$GLANCE_SYNC_REGION2_PORT \
        --timeout 900 glance.wsgi.api:application" "" "" \
        "OS_GLANCE_CONFIG_DIR=$dir/etc"
}

# start_glance_sync: the daemon and the API
function start_glance_sync {
    local bin
    bin=$(glance_sync_bin)
    if is_service_enabled glance-sync; then
        run_process glance-sync "$bin/glance-sync --config-file $GLANCE_SYNC_CONF"
    fi
    if is_service_enabled glance-sync-api; then
        run_process glance-sync-api \
            "$bin/glance-sync-api --config-file $GLANCE_SYNC_CONF"
    fi
}

# stop_glance_sync: everything the plugin started
function stop_glance_sync {
    stop_process glance-sync
    stop_process glance-sync-api
    stop_process glance-sync-region2
}

# cleanup_glance_sync: the state it left
function cleanup_glance_sync {
    rm -rf "$GLANCE_SYNC_STATE_DIR" "$GLANCE_SYNC_CONF_DIR"
}

if is_service_enabled glance-sync glance-sync-api 2>/dev/null; then
    if [[ "${1:-}" == "stack" && "${2:-}" == "install" ]]; then
        echo_summary "Installing glance-sync"
        install_glance_sync
    elif [[ "${1:-}" == "stack" && "${2:-}" == "post-config" ]]; then
        echo_summary "Configuring glance-sync"
        configure_glance_sync_paste "$GLANCE_API_PASTE_INI"
        configure_glance_sync_glance "$GLANCE_API_CONF"
        write_glance_sync_conf
    elif [[ "${1:-}" == "stack" && "${2:-}" == "extra" ]]; then
        echo_summary "Starting glance-sync"
        init_glance_sync
        if [[ "$GLANCE_SYNC_SECOND_REGION" == "True" ]]; then
            create_glance_sync_region2
        fi
        start_glance_sync
    fi
    if [[ "${1:-}" == "unstack" ]]; then
        stop_glance_sync
    fi
    if [[ "${1:-}" == "clean" ]]; then
        cleanup_glance_sync
    fi
fi

# Restore xtrace
$_XTRACE_GLANCE_SYNC
