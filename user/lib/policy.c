// SPDX-License-Identifier: GPL-2.0
/*
 * In-memory policy model: growable arrays of slices, apps, rules and
 * uplinks. A pointer returned by sg_policy_add_*() stays valid only until
 * the next add of the same kind (the array may move).
 */
#include <stdlib.h>
#include <string.h>

#include "policy.h"

void sg_policy_init(struct sg_policy *policy)
{
	memset(policy, 0, sizeof(*policy));
}

void sg_policy_free(struct sg_policy *policy)
{
	free(policy->slices);
	free(policy->apps);
	free(policy->rules);
	free(policy->uplinks);
	sg_policy_init(policy);
}

/*
 * Grow *array of *count elements of size elem by one zeroed element. The
 * capacity is the next power of two at or above the count, so it need not
 * be stored: a count that is a power of two (or zero) means the array is
 * full.
 */
static void *add_elem(void **array, unsigned int *count, size_t elem)
{
	unsigned int n = *count;
	char *base = *array;

	if ((n & (n - 1)) == 0) {
		unsigned int cap = n ? n * 2 : 1;

		if (cap < n)
			return NULL;
		base = realloc(base, (size_t)cap * elem);
		if (!base)
			return NULL;
		*array = base;
	}
	memset(base + (size_t)n * elem, 0, elem);
	*count = n + 1;
	return base + (size_t)n * elem;
}

struct sg_slice *sg_policy_add_slice(struct sg_policy *policy)
{
	return add_elem((void **)&policy->slices, &policy->n_slices,
			sizeof(*policy->slices));
}

struct sg_app *sg_policy_add_app(struct sg_policy *policy)
{
	return add_elem((void **)&policy->apps, &policy->n_apps,
			sizeof(*policy->apps));
}

struct sg_rule *sg_policy_add_rule(struct sg_policy *policy)
{
	return add_elem((void **)&policy->rules, &policy->n_rules,
			sizeof(*policy->rules));
}

struct sg_uplink *sg_policy_add_uplink(struct sg_policy *policy)
{
	return add_elem((void **)&policy->uplinks, &policy->n_uplinks,
			sizeof(*policy->uplinks));
}

const struct sg_slice *sg_policy_slice_by_id(const struct sg_policy *policy,
					     uint32_t id)
{
	unsigned int i;

	for (i = 0; i < policy->n_slices; i++)
		if (policy->slices[i].id == id)
			return &policy->slices[i];
	return NULL;
}

const struct sg_app *sg_policy_app_by_id(const struct sg_policy *policy,
					 uint32_t id)
{
	unsigned int i;

	for (i = 0; i < policy->n_apps; i++)
		if (policy->apps[i].id == id)
			return &policy->apps[i];
	return NULL;
}
