/*
 * cmdlet.c - the cmdlet table, aliases and common parameters.
 *
 * cmdlet_table[] is the one list every consumer walks: the evaluator
 * looks commands up in it, the binder reads each entry's parameter table,
 * completion and Get-Help/Get-Command and the generated doc/cmdlets.md
 * are all built from it.  Names match without case and never by prefix,
 * as in PowerShell.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "shell.h"

const struct cmdlet_entry *cmdlet_table[] = {
	&cmd_new_sendconnector_entry,
	&cmd_set_sendconnector_entry,
	&cmd_get_sendconnector_entry,
	&cmd_remove_sendconnector_entry,
	&cmd_test_sendconnector_entry,
	&cmd_get_connectorcert_entry,
	&cmd_get_mtastspolicy_entry,
	&cmd_get_queue_entry,
	&cmd_retry_queue_entry,
	&cmd_suspend_queue_entry,
	&cmd_resume_queue_entry,
	&cmd_get_queuedigest_entry,
	&cmd_get_message_entry,
	&cmd_suspend_message_entry,
	&cmd_resume_message_entry,
	&cmd_remove_message_entry,
	&cmd_get_transportservice_entry,
	&cmd_set_transportservice_entry,
	&cmd_get_exchangeserver_entry,
	&cmd_get_messagetrackinglog_entry,
	&cmd_get_credential_entry,
	&cmd_convertto_securestring_entry,
	&cmd_new_object_entry,
	&cmd_format_list_entry,
	&cmd_format_table_entry,
	&cmd_where_object_entry,
	&cmd_foreach_object_entry,
	&cmd_select_object_entry,
	&cmd_sort_object_entry,
	&cmd_measure_object_entry,
	&cmd_write_host_entry,
	&cmd_write_output_entry,
	&cmd_out_null_entry,
	&cmd_out_string_entry,
	&cmd_convertto_json_entry,
	&cmd_convertto_csv_entry,
	&cmd_export_csv_entry,
	&cmd_get_date_entry,
	&cmd_test_path_entry,
	&cmd_join_path_entry,
	&cmd_split_path_entry,
	&cmd_write_warning_entry,
	&cmd_write_verbose_entry,
	&cmd_write_error_entry,
	&cmd_get_content_entry,
	&cmd_set_content_entry,
	&cmd_add_content_entry,
	&cmd_out_file_entry,
	&cmd_import_csv_entry,
	&cmd_convertfrom_csv_entry,
	&cmd_group_object_entry,
	&cmd_read_host_entry,
	&cmd_start_sleep_entry,
	&cmd_get_help_entry,
	&cmd_get_command_entry,
	NULL
};

/* The aliases of a Windows PowerShell 5.1 session, plus the EMS ones. */
const struct alias_entry alias_table[] = {
	{ "?", "Where-Object" },
	{ "where", "Where-Object" },
	{ "%", "ForEach-Object" },
	{ "foreach", "ForEach-Object" },
	{ "fl", "Format-List" },
	{ "list", "Format-List" },
	{ "ft", "Format-Table" },
	{ "table", "Format-Table" },
	{ "select", "Select-Object" },
	{ "sort", "Sort-Object" },
	{ "measure", "Measure-Object" },
	{ "group", "Group-Object" },
	{ "epcsv", "Export-Csv" },
	{ "ipcsv", "Import-Csv" },
	{ "gc", "Get-Content" },
	{ "cat", "Get-Content" },
	{ "type", "Get-Content" },
	{ "sc", "Set-Content" },
	{ "ac", "Add-Content" },
	{ "echo", "Write-Output" },
	{ "write", "Write-Output" },
	{ "gcm", "Get-Command" },
	{ "help", "Get-Help" },
	{ "man", "Get-Help" },
	{ NULL, NULL }
};

/* Suspend is read as Continue, as action_pref_parse (eval.c) reads it. */
static const struct choice actionpref_choices[] = {
	{ "SilentlyContinue", AP_SILENTLY_CONTINUE }, { "Stop", AP_STOP },
	{ "Continue", AP_CONTINUE }, { "Inquire", AP_INQUIRE },
	{ "Ignore", AP_IGNORE }, { "Suspend", AP_CONTINUE }, { NULL, 0 }
};

/* A common parameter of its ptype's .NET type (ptype_table, bind.c). */
#define COMMON(n, a, t, h) \
	PARAM(n, a, t, P_COMMON, 0, NULL, 0, 0, NULL, h)

const struct param_entry common_params[] = {
	COMMON("Verbose", "vb", PT_SWITCH,
	    "Writes VERBOSE: lines describing what the cmdlet does."),
	COMMON("Debug", "db", PT_SWITCH,
	    "Accepted for compatibility; hubsh writes no debug records."),
	PARAM("ErrorAction", "ea", PT_ACTIONPREF, P_COMMON, 0,
	    actionpref_choices, 0, 0, NULL,
	    "What to do on a non-terminating error: Continue, Stop, "
	    "SilentlyContinue or Ignore."),
	PARAM("WarningAction", "wa", PT_ACTIONPREF, P_COMMON, 0,
	    actionpref_choices, 0, 0, NULL,
	    "What to do with warnings."),
	PARAM("InformationAction", "infa", PT_ACTIONPREF, P_COMMON, 0,
	    actionpref_choices, 0, 0, NULL,
	    "Accepted for compatibility."),
	COMMON("ErrorVariable", "ev", PT_STRING,
	    "Accepted for compatibility."),
	COMMON("WarningVariable", "wv", PT_STRING,
	    "Accepted for compatibility."),
	COMMON("InformationVariable", "iv", PT_STRING,
	    "Accepted for compatibility."),
	COMMON("OutVariable", "ov", PT_STRING,
	    "Accepted for compatibility."),
	COMMON("OutBuffer", "ob", PT_INT,
	    "Accepted for compatibility."),
	COMMON("PipelineVariable", "pv", PT_STRING,
	    "Accepted for compatibility."),
	PARAM_END
};

const struct param_entry shouldprocess_params[] = {
	COMMON("WhatIf", "wi", PT_SWITCH,
	    "Shows what the command would do, without doing it."),
	COMMON("Confirm", "cf", PT_SWITCH,
	    "Asks before acting; -Confirm:$false never asks."),
	PARAM_END
};

const struct cmdlet_entry *
cmdlet_find(const char *name)
{
	size_t	i;

	for (i = 0; cmdlet_table[i] != NULL; i++) {
		if (strcasecmp(cmdlet_table[i]->name, name) == 0)
			return (cmdlet_table[i]);
	}
	return (NULL);
}

/* The command an alias stands for, or NULL. */
const char *
alias_resolve(const char *name)
{
	size_t	i;

	for (i = 0; alias_table[i].alias != NULL; i++) {
		if (strcasecmp(alias_table[i].alias, name) == 0)
			return (alias_table[i].name);
	}
	return (NULL);
}
