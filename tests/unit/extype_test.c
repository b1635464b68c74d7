/*
 * extype_test.c - unit tests for the Exchange data type parsers and
 * printers (shell/extype.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "extype.h"
#include "tap.h"

/* expr is a call that fails, with &cause as its cause argument. */
#define ERR(expr, want) do {						\
	char *cause = NULL;						\
	TAP_CHECK((expr) == -1);					\
	TAP_STREQ(cause, want);						\
	free(cause);							\
} while (0)

/* Parse an address space and check how it prints. */
#define AS_OK(in, out) do {						\
	struct sc_address_space as_;					\
	char *cause_ = NULL, *s_;					\
	TAP_CHECK(ex_address_space_parse(in, &as_, &cause_) == 0);	\
	TAP_CHECK(cause_ == NULL);					\
	s_ = ex_address_space_format(&as_);				\
	TAP_STREQ(s_, out);						\
	free(s_);							\
	free(cause_);							\
	ex_address_space_clear(&as_);					\
} while (0)

#define AS_ERR(in, want) do {						\
	struct sc_address_space as_;					\
	ERR(ex_address_space_parse(in, &as_, &cause), want);		\
	TAP_CHECK(as_.type == NULL && as_.domain == NULL);		\
} while (0)

/* Parse with a canonical output string and compare it. */
#define CANON_OK(fn, in, out) do {					\
	char *c_ = NULL, *cause_ = NULL;				\
	TAP_CHECK(fn(in, &c_, &cause_) == 0);				\
	TAP_STREQ(c_, out);						\
	TAP_CHECK(cause_ == NULL);					\
	free(c_);							\
	free(cause_);							\
} while (0)

#define CANON_ERR(fn, in, want) do {					\
	char *c_ = (char *)1;						\
	ERR(fn(in, &c_, &cause), want);					\
	TAP_CHECK(c_ == NULL);						\
} while (0)

#define OK(expr) do {							\
	char *cause = NULL;						\
	TAP_CHECK((expr) == 0);						\
	TAP_CHECK(cause == NULL);					\
	free(cause);							\
} while (0)

#define STR_FREE(expr, want) do {					\
	char *s_ = (expr);						\
	TAP_STREQ(s_, want);						\
	free(s_);							\
} while (0)

#define MAXMSG	((int64_t)2147483647)
#define SIZE_OK(in, want) do {						\
	int64_t b_ = 12345;						\
	char *cause_ = NULL;						\
	TAP_CHECK(ex_size_parse(in, 0, MAXMSG, &b_, &cause_) == 0);	\
	TAP_CHECK(b_ == (want));					\
	TAP_CHECK(cause_ == NULL);					\
	free(cause_);							\
} while (0)

#define TS_MIN	1
#define TS_MAX	86400
#define TS_OK(in, want) do {						\
	int64_t s_ = -99;						\
	char *cause_ = NULL;						\
	TAP_CHECK(ex_timespan_parse(in, TS_MIN, TS_MAX, &s_,		\
	    &cause_) == 0);						\
	TAP_CHECK(s_ == (want));					\
	TAP_CHECK(cause_ == NULL);					\
	free(cause_);							\
} while (0)

static void
test_address_space_smtp(void)
{
	struct sc_address_space	as;
	char			*cause = NULL;

	AS_OK("contoso.com", "smtp:contoso.com;1");
	AS_OK("contoso.com;5", "smtp:contoso.com;5");
	AS_OK("contoso.com;", "smtp:contoso.com;1");
	AS_OK("SMTP:contoso.com", "SMTP:contoso.com;1");
	AS_OK("SMTP:*;1", "SMTP:*;1");
	AS_OK("*", "smtp:*;1");
	AS_OK("*.contoso.com;100", "smtp:*.contoso.com;100");
	AS_OK("Smtp:Mail.Contoso.COM;2", "Smtp:Mail.Contoso.COM;2");
	AS_OK("smtp:my_host.contoso.com", "smtp:my_host.contoso.com;1");
	AS_OK("contoso.com; 7 ", "smtp:contoso.com;7");
	AS_OK("contoso.com;+3", "smtp:contoso.com;3");

	TAP_CHECK(ex_address_space_parse("SMTP:*.fabrikam.com;42", &as,
	    &cause) == 0);
	TAP_STREQ(as.type, "SMTP");
	TAP_STREQ(as.domain, "*.fabrikam.com");
	TAP_CHECK(as.cost == 42);
	TAP_CHECK(ex_address_space_is_smtp(&as));
	ex_address_space_clear(&as);
	TAP_CHECK(as.type == NULL && as.domain == NULL && as.cost == 0);
	ex_address_space_clear(&as);
	TAP_CHECK(cause == NULL);
}

static void
test_address_space_errors(void)
{
	AS_ERR("", "Invalid address space");
	AS_ERR("*contoso.com", "\"*contoso.com\" isn't a valid SMTP domain.");
	AS_ERR("smtp:*contoso.com;1",
	    "\"*contoso.com\" isn't a valid SMTP domain.");
	AS_ERR("contoso.com.", "\"contoso.com.\" isn't a valid SMTP domain.");
	AS_ERR("smtp:", "\"\" isn't a valid SMTP domain.");
	AS_ERR("contoso.com;0", "Cost value must be from 1 through 100.");
	AS_ERR("contoso.com;101", "Cost value must be from 1 through 100.");
	AS_ERR("contoso.com;-1", "Cost value must be from 1 through 100.");
	AS_ERR("contoso.com;x", "Cost value \"x\" is not a valid number.");
	AS_ERR("contoso.com;1.5",
	    "Cost value \"1.5\" is not a valid number.");
	AS_ERR("contoso.com;99999999999",
	    "Cost value \"99999999999\" is not a valid number.");
	/* The cost is checked before the domain, as Exchange does. */
	AS_ERR("*bad;0", "Cost value must be from 1 through 100.");
	AS_ERR("Local:smtp:contoso.com;1",
	    "\"Local:smtp:contoso.com;1\" is not a valid address space "
	    "because the use of \"Local:\" in an address space is not "
	    "supported. Instead, use the IsScopedConnector parameter to "
	    "create a scoped connector.");
	AS_ERR("local:contoso.com", "\"local:contoso.com\" is not a valid "
	    "address space because the use of \"Local:\" in an address "
	    "space is not supported. Instead, use the IsScopedConnector "
	    "parameter to create a scoped connector.");
	AS_ERR(":contoso.com", "The address space type can't be empty.");
}

static void
test_address_space_other_types(void)
{
	AS_OK("X400:c=US;a= ;p=Contoso;o=Sales;",
	    "X400:c=us;a= ;p=contoso;o=sales;;1");
	AS_OK("X400:c=us;a= ;p=contoso;o=sales;;10",
	    "X400:c=us;a= ;p=contoso;o=sales;;10");
	AS_OK("NOTES:Domain/Org;3", "NOTES:domain/org;3");
	AS_OK("FAX:User(a)Host;", "FAX:user(a)host;1");
	AS_OK("EX:/o=Contoso/ou=First", "EX:/o=contoso/ou=first;1");

	AS_ERR("X400:c=us;a= ;p=contoso;o=sales",
	    "Cost value \"o=sales\" is not a valid number.");
	AS_ERR("X400:junk;", "\"junk;\" isn't a valid X.400 address space.");
	AS_ERR("X400:;", "\";\" isn't a valid X.400 address space.");
	AS_ERR("X400:", "\"\" isn't a valid X.400 address space.");
	AS_ERR("FAX:", "Invalid address space");
	AS_ERR("FAX:;4", "Invalid address space");
	AS_ERR("TOOLONGTYPE:x", "Invalid address space type 'TOOLONGTYPE'.");
	AS_ERR("   :x", "Invalid address space type '   '.");
}

static void
test_address_space_same(void)
{
	struct sc_address_space	a, b, c, d;
	char			*cause = NULL;

	TAP_CHECK(ex_address_space_parse("SMTP:Contoso.com;1", &a,
	    &cause) == 0);
	TAP_CHECK(ex_address_space_parse("contoso.COM;50", &b, &cause) == 0);
	TAP_CHECK(ex_address_space_parse("*.contoso.com", &c, &cause) == 0);
	TAP_CHECK(ex_address_space_parse("FAX:contoso.com", &d,
	    &cause) == 0);
	TAP_CHECK(cause == NULL);
	TAP_CHECK(ex_address_space_same(&a, &b));
	TAP_CHECK(ex_address_space_same(&b, &a));
	TAP_CHECK(!ex_address_space_same(&a, &c));
	TAP_CHECK(!ex_address_space_same(&a, &d));
	TAP_CHECK(ex_address_space_is_smtp(&a));
	TAP_CHECK(ex_address_space_is_smtp(&b));
	TAP_CHECK(!ex_address_space_is_smtp(&d));
	ex_address_space_clear(&a);
	ex_address_space_clear(&b);
	ex_address_space_clear(&c);
	ex_address_space_clear(&d);
}

static void
test_smtp_domain(void)
{
	char	label63[64], label64[65], longname[300];
	size_t	i;

	memset(label63, 'a', 63);
	label63[63] = '\0';
	memset(label64, 'a', 64);
	label64[64] = '\0';

	OK(ex_smtp_domain_check("contoso.com", false, &cause));
	OK(ex_smtp_domain_check("*.contoso.com", false, &cause));
	OK(ex_smtp_domain_check("*", true, &cause));
	OK(ex_smtp_domain_check("com", false, &cause));
	OK(ex_smtp_domain_check("a-b.c_d.e1", false, &cause));
	OK(ex_smtp_domain_check(label63, false, &cause));
	ERR(ex_smtp_domain_check(label64, false, &cause),
	    "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("*", false, &cause),
	    "\"*\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("*contoso.com", true, &cause),
	    "\"*contoso.com\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("-contoso.com", true, &cause),
	    "\"-contoso.com\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("contoso-.com", true, &cause),
	    "\"contoso-.com\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("contoso..com", true, &cause),
	    "\"contoso..com\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check(".contoso.com", true, &cause),
	    "\".contoso.com\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("contoso.com.", true, &cause),
	    "\"contoso.com.\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("con toso.com", true, &cause),
	    "\"con toso.com\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("*.", true, &cause),
	    "\"*.\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("a.*.com", true, &cause),
	    "\"a.*.com\" isn't a valid SMTP domain.");
	ERR(ex_smtp_domain_check("", true, &cause),
	    "\"\" isn't a valid SMTP domain.");

	/* 255 characters is the limit. */
	for (i = 0; i < 4; i++) {
		memcpy(longname + i * 64, label63, 63);
		longname[i * 64 + 63] = '.';
	}
	longname[255] = '\0';
	longname[254] = 'b';
	OK(ex_smtp_domain_check(longname, false, &cause));
	longname[255] = 'c';
	longname[256] = '\0';
	TAP_CHECK(ex_smtp_domain_check(longname, false, NULL) == -1);
}

static void
test_tls_domain(void)
{
	OK(ex_tls_domain_check("contoso.com", &cause));
	OK(ex_tls_domain_check("*.contoso.com", &cause));
	ERR(ex_tls_domain_check("*", &cause),
	    "You can't specify the SmtpDomainWithSubdomains for property "
	    "value \"*\" to be '*'.");
	ERR(ex_tls_domain_check("*contoso.com", &cause),
	    "\"*contoso.com\" isn't a valid SMTP domain.");
}

static void
test_smart_host(void)
{
	CANON_OK(ex_smart_host_parse, "relay.contoso.com", "relay.contoso.com");
	CANON_OK(ex_smart_host_parse, " relay ", "relay");
	CANON_OK(ex_smart_host_parse, "10.1.1.1", "[10.1.1.1]");
	CANON_OK(ex_smart_host_parse, "[10.1.1.1]", "[10.1.1.1]");
	CANON_OK(ex_smart_host_parse, "2001:DB8::1", "[2001:db8::1]");
	CANON_OK(ex_smart_host_parse, "[2001:db8:0:0::1]", "[2001:db8::1]");
	CANON_ERR(ex_smart_host_parse, "[0.0.0.0]",
	    "You can't use [0.0.0.0] as the smart host IP address.");
	CANON_ERR(ex_smart_host_parse, "0.0.0.0",
	    "You can't use [0.0.0.0] as the smart host IP address.");
	CANON_ERR(ex_smart_host_parse, "[::]",
	    "\"[::]\" is not a valid IP address or host name.");
	CANON_ERR(ex_smart_host_parse, "*.contoso.com",
	    "\"*.contoso.com\" is not a valid IP address or host name.");
	CANON_ERR(ex_smart_host_parse, "[relay.contoso.com]",
	    "\"[relay.contoso.com]\" is not a valid IP address or host name.");
	CANON_ERR(ex_smart_host_parse, "[10.1.1.1",
	    "\"[10.1.1.1\" is not a valid IP address or host name.");
	CANON_ERR(ex_smart_host_parse, "relay..contoso.com",
	    "\"relay..contoso.com\" is not a valid IP address or host name.");
	CANON_ERR(ex_smart_host_parse, "",
	    "\"\" is not a valid IP address or host name.");
}

static void
test_fqdn(void)
{
	OK(ex_fqdn_check("mail.contoso.com", &cause));
	OK(ex_fqdn_check("EX01", &cause));
	ERR(ex_fqdn_check("mail.contoso.com.", &cause),
	    "\"mail.contoso.com.\" isn't a valid FQDN.");
	ERR(ex_fqdn_check("*.contoso.com", &cause),
	    "\"*.contoso.com\" isn't a valid FQDN.");
	ERR(ex_fqdn_check("", &cause), "\"\" isn't a valid FQDN.");
	ERR(ex_fqdn_check("bad host", &cause),
	    "\"bad host\" isn't a valid FQDN.");
}

static void
test_ip(void)
{
	CANON_OK(ex_ip_parse, "0.0.0.0", "0.0.0.0");
	CANON_OK(ex_ip_parse, "192.168.1.10", "192.168.1.10");
	CANON_OK(ex_ip_parse, "FE80:0:0:0:0:0:0:1", "fe80::1");
	CANON_OK(ex_ip_parse, "::", "::");
	CANON_ERR(ex_ip_parse, "256.1.1.1",
	    "\"256.1.1.1\" isn't a valid IP address.");
	CANON_ERR(ex_ip_parse, "[10.1.1.1]",
	    "\"[10.1.1.1]\" isn't a valid IP address.");
	CANON_ERR(ex_ip_parse, "host", "\"host\" isn't a valid IP address.");
	CANON_ERR(ex_ip_parse, "", "\"\" isn't a valid IP address.");

	TAP_CHECK(ex_ip_is_multicast_or_broadcast("224.0.0.1"));
	TAP_CHECK(ex_ip_is_multicast_or_broadcast("239.255.255.255"));
	TAP_CHECK(ex_ip_is_multicast_or_broadcast("255.255.255.255"));
	TAP_CHECK(ex_ip_is_multicast_or_broadcast("ff02::1"));
	TAP_CHECK(!ex_ip_is_multicast_or_broadcast("223.255.255.255"));
	TAP_CHECK(!ex_ip_is_multicast_or_broadcast("240.0.0.1"));
	TAP_CHECK(!ex_ip_is_multicast_or_broadcast("0.0.0.0"));
	TAP_CHECK(!ex_ip_is_multicast_or_broadcast("fe80::1"));
	TAP_CHECK(!ex_ip_is_multicast_or_broadcast("junk"));
}

static void
test_size_parse(void)
{
	SIZE_OK("unlimited", -1);
	SIZE_OK("Unlimited", -1);
	SIZE_OK(" UNLIMITED ", -1);
	SIZE_OK("35MB", 36700160);
	SIZE_OK("35 MB", 36700160);
	SIZE_OK("35mb", 36700160);
	SIZE_OK("10240KB", 10485760);
	SIZE_OK("1.5MB", 1572864);
	SIZE_OK("1GB", 1073741824);
	SIZE_OK("0", 0);
	SIZE_OK("0B", 0);
	SIZE_OK("1", 1024);
	SIZE_OK("1024", 1024);
	SIZE_OK("1025", 2048);
	SIZE_OK("36700160", 36700160);
	SIZE_OK("500B", 1024);
	SIZE_OK("1,024KB", 1048576);
	SIZE_OK("35 MB (36,700,160 bytes)", 36700160);
	SIZE_OK("1.001 MB (1,049,600 bytes)", 1049600);
	SIZE_OK("2097151KB", 2147482624);
}

static void
test_size_errors(void)
{
	int64_t	b;

	ERR(ex_size_parse("35XB", 0, MAXMSG, &b, &cause),
	    "\"35XB\" isn't a valid size. Valid values are a number, "
	    "optionally followed by B, KB, MB, GB or TB, or Unlimited.");
	ERR(ex_size_parse("", 0, MAXMSG, &b, &cause),
	    "\"\" isn't a valid size. Valid values are a number, "
	    "optionally followed by B, KB, MB, GB or TB, or Unlimited.");
	ERR(ex_size_parse("MB", 0, MAXMSG, &b, &cause),
	    "\"MB\" isn't a valid size. Valid values are a number, "
	    "optionally followed by B, KB, MB, GB or TB, or Unlimited.");
	ERR(ex_size_parse("35  MB", 0, MAXMSG, &b, &cause),
	    "\"35  MB\" isn't a valid size. Valid values are a number, "
	    "optionally followed by B, KB, MB, GB or TB, or Unlimited.");
	ERR(ex_size_parse("1.MB", 0, MAXMSG, &b, &cause),
	    "\"1.MB\" isn't a valid size. Valid values are a number, "
	    "optionally followed by B, KB, MB, GB or TB, or Unlimited.");
	ERR(ex_size_parse("1234567890123456", 0, MAXMSG, &b, &cause),
	    "\"1234567890123456\" isn't a valid size. Valid values are a "
	    "number, optionally followed by B, KB, MB, GB or TB, or "
	    "Unlimited.");
	ERR(ex_size_parse("3GB", 0, MAXMSG, &b, &cause),
	    "The value \"3GB\" is out of range. The valid range is from "
	    "0 B (0 bytes) to 2 GB (2,147,483,647 bytes).");
	ERR(ex_size_parse("-1", 0, MAXMSG, &b, &cause),
	    "The value \"-1\" is out of range. The valid range is from "
	    "0 B (0 bytes) to 2 GB (2,147,483,647 bytes).");
	ERR(ex_size_parse("16777216TB", 0, MAXMSG, &b, &cause),
	    "The value \"16777216TB\" is out of range. The valid range is "
	    "from 0 B (0 bytes) to 2 GB (2,147,483,647 bytes).");
	ERR(ex_size_parse("10KB", 65536, MAXMSG, &b, &cause),
	    "The value \"10KB\" is out of range. The valid range is from "
	    "64 KB (65,536 bytes) to 2 GB (2,147,483,647 bytes).");
}

/* ByteQuantifiedSize: a size as above, but Unlimited is no value. */
static void
test_bytes(void)
{
	int64_t	b = 0;

	OK(ex_bytes_parse("64KB", 32768, MAXMSG, &b, &cause));
	TAP_CHECK(b == 65536);
	OK(ex_bytes_parse(" 10 MB ", 1, MAXMSG, &b, &cause));
	TAP_CHECK(b == 10485760);
	ERR(ex_bytes_parse("unlimited", 1, MAXMSG, &b, &cause),
	    "\"unlimited\" isn't a valid size. Valid values are a number, "
	    "optionally followed by B, KB, MB, GB or TB.");
	ERR(ex_bytes_parse("Unlimited", 1, MAXMSG, &b, &cause),
	    "\"Unlimited\" isn't a valid size. Valid values are a number, "
	    "optionally followed by B, KB, MB, GB or TB.");
	ERR(ex_bytes_parse("35XB", 1, MAXMSG, &b, &cause),
	    "\"35XB\" isn't a valid size. Valid values are a number, "
	    "optionally followed by B, KB, MB, GB or TB.");
	ERR(ex_bytes_parse("16KB", 32768, MAXMSG, &b, &cause),
	    "The value \"16KB\" is out of range. The valid range is from "
	    "32 KB (32,768 bytes) to 2 GB (2,147,483,647 bytes).");
}

/* Guid: the four forms Guid.Parse takes, printed as D in lower case. */
static void
test_guid(void)
{
	CANON_OK(ex_guid_parse, "00000000-0000-0000-0000-000000000000",
	    "00000000-0000-0000-0000-000000000000");
	CANON_OK(ex_guid_parse, "0F8FAD5B-D9CB-469F-A165-70867728950E",
	    "0f8fad5b-d9cb-469f-a165-70867728950e");
	CANON_OK(ex_guid_parse, "0f8fad5bd9cb469fa16570867728950e",
	    "0f8fad5b-d9cb-469f-a165-70867728950e");
	CANON_OK(ex_guid_parse, "{0f8fad5b-d9cb-469f-a165-70867728950e}",
	    "0f8fad5b-d9cb-469f-a165-70867728950e");
	CANON_OK(ex_guid_parse, "(0f8fad5b-d9cb-469f-a165-70867728950e)",
	    "0f8fad5b-d9cb-469f-a165-70867728950e");
	CANON_ERR(ex_guid_parse, "0f8fad5b-d9cb-469f-a165-70867728950",
	    "Guid should contain 32 digits with 4 dashes "
	    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
	CANON_ERR(ex_guid_parse, "0f8fad5b-d9cb-469f-a165+70867728950e",
	    "Guid should contain 32 digits with 4 dashes "
	    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
	CANON_ERR(ex_guid_parse, "0g8fad5bd9cb469fa16570867728950e",
	    "Guid should contain 32 digits with 4 dashes "
	    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
	CANON_ERR(ex_guid_parse, "{0f8fad5b-d9cb-469f-a165-70867728950e)",
	    "Guid should contain 32 digits with 4 dashes "
	    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
	CANON_ERR(ex_guid_parse, "",
	    "Guid should contain 32 digits with 4 dashes "
	    "(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx).");
}

static void
test_size_format(void)
{
	STR_FREE(ex_size_format(36700160), "35 MB (36,700,160 bytes)");
	STR_FREE(ex_size_format(1049600), "1.001 MB (1,049,600 bytes)");
	STR_FREE(ex_size_format(10485760), "10 MB (10,485,760 bytes)");
	STR_FREE(ex_size_format(26214400), "25 MB (26,214,400 bytes)");
	STR_FREE(ex_size_format(1024), "1 KB (1,024 bytes)");
	STR_FREE(ex_size_format(500), "500 B (500 bytes)");
	STR_FREE(ex_size_format(0), "0 B (0 bytes)");
	STR_FREE(ex_size_format(1), "1 B (1 bytes)");
	STR_FREE(ex_size_format(1023), "1023 B (1,023 bytes)");
	STR_FREE(ex_size_format(-1), "Unlimited");
	STR_FREE(ex_size_format(1572864), "1.5 MB (1,572,864 bytes)");
	/* 1.0009765625 KB rounds up to 1.001, 1.001953125 to 1.002. */
	STR_FREE(ex_size_format(1025), "1.001 KB (1,025 bytes)");
	STR_FREE(ex_size_format(1026), "1.002 KB (1,026 bytes)");
	/* 1.00038 MB rounds down; the zeros go. */
	STR_FREE(ex_size_format(1048976), "1 MB (1,048,976 bytes)");
	/* 1023.999 KB: four significant digits give 1024. */
	STR_FREE(ex_size_format(1048575), "1024 KB (1,048,575 bytes)");
	/* 1.0625 KB: a true half, rounded away from zero. */
	STR_FREE(ex_size_format(1088), "1.063 KB (1,088 bytes)");
	/* 9.999755859375 MB carries into 10. */
	STR_FREE(ex_size_format(10485504), "10 MB (10,485,504 bytes)");
	STR_FREE(ex_size_format(10484711), "9.999 MB (10,484,711 bytes)");
	STR_FREE(ex_size_format(2147483647), "2 GB (2,147,483,647 bytes)");
	STR_FREE(ex_size_format(1099511627776LL),
	    "1 TB (1,099,511,627,776 bytes)");
	STR_FREE(ex_size_format(INT64_MAX),
	    "8.389E+06 TB (9,223,372,036,854,775,807 bytes)");
	STR_FREE(ex_size_format(12345LL * 1099511627776LL),
	    "1.235E+04 TB (13,573,471,044,894,720 bytes)");
}

static void
test_timespan_parse(void)
{
	TS_OK("00:10:00", 600);
	TS_OK("0:10", 600);
	TS_OK("00:00:01", 1);
	TS_OK("1.00:00:00", 86400);
	TS_OK("1", 86400);
	TS_OK("23:59:59", 86399);
	TS_OK(" 00:15:00 ", 900);
	TS_OK("00:10:00.0000000", 600);
	TS_OK("0.00:10", 600);
	TS_OK("0:00:10:00", 600);
	TS_OK("01:02:03", 3723);
}

static void
test_timespan_errors(void)
{
	int64_t	s;

	ERR(ex_timespan_parse("abc", 1, 86400, &s, &cause),
	    "\"abc\" isn't a valid time span.");
	ERR(ex_timespan_parse("", 1, 86400, &s, &cause),
	    "\"\" isn't a valid time span.");
	ERR(ex_timespan_parse("24:00:00", 1, 86400, &s, &cause),
	    "\"24:00:00\" isn't a valid time span.");
	ERR(ex_timespan_parse("00:60:00", 1, 86400, &s, &cause),
	    "\"00:60:00\" isn't a valid time span.");
	ERR(ex_timespan_parse("1.5", 1, 86400, &s, &cause),
	    "\"1.5\" isn't a valid time span.");
	ERR(ex_timespan_parse("00:10.5", 1, 86400, &s, &cause),
	    "\"00:10.5\" isn't a valid time span.");
	ERR(ex_timespan_parse("00:10:00:00:00", 1, 86400, &s, &cause),
	    "\"00:10:00:00:00\" isn't a valid time span.");
	ERR(ex_timespan_parse("00:00:00.12345678", 1, 86400, &s, &cause),
	    "\"00:00:00.12345678\" isn't a valid time span.");
	ERR(ex_timespan_parse("00:10:00.5", 1, 86400, &s, &cause),
	    "The value \"00:10:00.5\" must be a whole number of seconds.");
	ERR(ex_timespan_parse("00:00:00", 1, 86400, &s, &cause),
	    "The value \"00:00:00\" is out of range. The valid range is "
	    "from 00:00:01 to 1.00:00:00.");
	ERR(ex_timespan_parse("1.00:00:01", 1, 86400, &s, &cause),
	    "The value \"1.00:00:01\" is out of range. The valid range is "
	    "from 00:00:01 to 1.00:00:00.");
	ERR(ex_timespan_parse("-00:00:05", 1, 86400, &s, &cause),
	    "The value \"-00:00:05\" is out of range. The valid range is "
	    "from 00:00:01 to 1.00:00:00.");
	ERR(ex_timespan_parse("99999999", 1, 86400, &s, &cause),
	    "\"99999999\" isn't a valid time span.");
}

static void
test_timespan_format(void)
{
	STR_FREE(ex_timespan_format(600), "00:10:00");
	STR_FREE(ex_timespan_format(86400), "1.00:00:00");
	STR_FREE(ex_timespan_format(1), "00:00:01");
	STR_FREE(ex_timespan_format(0), "00:00:00");
	STR_FREE(ex_timespan_format(90061), "1.01:01:01");
	STR_FREE(ex_timespan_format(86399), "23:59:59");
	STR_FREE(ex_timespan_format(-5), "-00:00:05");
	STR_FREE(ex_timespan_format(-90061), "-1.01:01:01");
	STR_FREE(ex_timespan_format(30LL * 86400), "30.00:00:00");
}

static void
test_x509(void)
{
	const char	*tail;

	tail = "\", is unknown. The correct format is "
	    "\"X509:<I>CN=Issuer<S>CN=Subject\". Note that the issuer part "
	    "or subject part, which can't be empty, must contain an X500 "
	    "distinguished name.";
	OK(ex_x509_identifier_check("<I>CN=Issuer, O=Contoso<S>"
	    "CN=mail.contoso.com", &cause));
	OK(ex_x509_identifier_check("X509:<I>CN=CA<S>CN=mail", &cause));
	OK(ex_x509_identifier_check("x509:<i>CN=CA<s>CN=mail", &cause));
	{
		char *want, *cause = NULL;

		want = malloc(512);
		snprintf(want, 512, "The format you provided, \"%s%s",
		    "<I><S>CN=mail", tail);
		TAP_CHECK(ex_x509_identifier_check("<I><S>CN=mail",
		    &cause) == -1);
		TAP_STREQ(cause, want);
		free(cause);
		cause = NULL;
		snprintf(want, 512, "The format you provided, \"%s%s",
		    "CN=mail.contoso.com", tail);
		TAP_CHECK(ex_x509_identifier_check("CN=mail.contoso.com",
		    &cause) == -1);
		TAP_STREQ(cause, want);
		free(cause);
		free(want);
	}
	TAP_CHECK(ex_x509_identifier_check("<I>CN=CA<S>", NULL) == -1);
	TAP_CHECK(ex_x509_identifier_check("<I>CN=CA<S>  ", NULL) == -1);
	TAP_CHECK(ex_x509_identifier_check("<S>CN=mail", NULL) == -1);
	TAP_CHECK(ex_x509_identifier_check("<I>CN=CA", NULL) == -1);
	TAP_CHECK(ex_x509_identifier_check("<I>C<N>=CA<S>CN=x", NULL) == -1);
	TAP_CHECK(ex_x509_identifier_check("X509:", NULL) == -1);
	TAP_CHECK(ex_x509_identifier_check("", NULL) == -1);
}

static void
test_group_digits(void)
{
	STR_FREE(ex_group_digits(0), "0");
	STR_FREE(ex_group_digits(999), "999");
	STR_FREE(ex_group_digits(1000), "1,000");
	STR_FREE(ex_group_digits(1234567), "1,234,567");
	STR_FREE(ex_group_digits(36700160), "36,700,160");
	STR_FREE(ex_group_digits(-1234), "-1,234");
	STR_FREE(ex_group_digits(-999), "-999");
	STR_FREE(ex_group_digits(INT64_MAX), "9,223,372,036,854,775,807");
	STR_FREE(ex_group_digits(INT64_MIN), "-9,223,372,036,854,775,808");
}

static const struct tap_case cases[] = {
	{ "address space: SMTP forms and printing", test_address_space_smtp },
	{ "address space: error messages", test_address_space_errors },
	{ "address space: X400 and other types",
	    test_address_space_other_types },
	{ "address space: same destination, is SMTP",
	    test_address_space_same },
	{ "SmtpDomainWithSubdomains syntax", test_smtp_domain },
	{ "TlsDomain refuses a bare *", test_tls_domain },
	{ "SmartHost names and IP literals", test_smart_host },
	{ "Fqdn syntax", test_fqdn },
	{ "IPAddress parse, multicast and broadcast", test_ip },
	{ "size: accepted forms", test_size_parse },
	{ "size: error messages", test_size_errors },
	{ "size: printing", test_size_format },
	{ "ByteQuantifiedSize: no Unlimited", test_bytes },
	{ "Guid: N, D, B and P forms", test_guid },
	{ "time span: accepted forms", test_timespan_parse },
	{ "time span: error messages", test_timespan_errors },
	{ "time span: printing", test_timespan_format },
	{ "SmtpX509Identifier syntax", test_x509 },
	{ "en-US digit grouping", test_group_digits },
};

TAP_MAIN(cases)
