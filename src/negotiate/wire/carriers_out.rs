//! Writes the nested carriers `Ticket`, `Associate` and `Person` in the vendor's order, with
//! dates and label-like names in the request's locale (user content is never translated).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::dictionary::Dictionary;
use super::rights::{FULL, NO_FIELDS};
use crate::domain::{Associate, FieldMap, Person, Ticket, VendorEnum};
use crate::locale::Locale;

/// The response form of a `Ticket` carrier.
pub(super) struct TicketOut<'a>(pub &'a Ticket, pub &'a Locale);

impl Serialize for TicketOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (t, locale) = (self.0, self.1);
        let mut out = serializer.serialize_struct("Ticket", 65)?;
        out.serialize_field("TicketId", &t.ticket_id)?;
        out.serialize_field("Title", &t.title)?;
        out.serialize_field("CreatedAt", &locale.stamp(&t.created_at))?;
        out.serialize_field("LastChanged", &locale.stamp(&t.last_changed))?;
        out.serialize_field("ReadByOwner", &locale.date(&t.read_by_owner))?;
        out.serialize_field("ReadByCustomer", &locale.date(&t.read_by_customer))?;
        out.serialize_field("FirstReadByUser", &locale.date(&t.first_read_by_user))?;
        out.serialize_field("Activate", &locale.date(&t.activate))?;
        out.serialize_field("ClosedAt", &locale.date(&t.closed_at))?;
        out.serialize_field("RepliedAt", &locale.stamp(&t.replied_at))?;
        out.serialize_field("AlertTimeout", &locale.date(&t.alert_timeout))?;
        out.serialize_field("Deadline", &locale.date(&t.deadline))?;
        out.serialize_field("CreatedBy", &t.created_by)?;
        out.serialize_field("CreatedByName", &t.created_by_name)?;
        out.serialize_field("Author", &t.author)?;
        out.serialize_field("OwnedBy", &t.owned_by)?;
        out.serialize_field("OwnedByName", &t.owned_by_name)?;
        out.serialize_field("Category", &t.category)?;
        out.serialize_field("CategoryName", &locale.label(&t.category_name))?;
        out.serialize_field("CategoryFullname", &locale.label(&t.category_fullname))?;
        out.serialize_field("Slevel", t.slevel.name())?;
        out.serialize_field("Priority", &t.priority)?;
        out.serialize_field("PriorityName", &locale.label(&t.priority_name))?;
        out.serialize_field("BaseStatus", t.base_status.name())?;
        out.serialize_field("TicketStatus", &t.ticket_status)?;
        out.serialize_field("TicketStatusDisplayValue", &locale.label(&t.ticket_status_display_value))?;
        out.serialize_field("Origin", t.origin.name())?;
        out.serialize_field("CustId", &t.cust_id)?;
        out.serialize_field("PersonFirstname", &t.person_firstname)?;
        out.serialize_field("PersonMiddleName", &t.person_middle_name)?;
        out.serialize_field("PersonLastname", &t.person_lastname)?;
        out.serialize_field("PersonFullname", &t.person_fullname)?;
        out.serialize_field("AlertLevel", &t.alert_level)?;
        out.serialize_field("ConnectId", &t.connect_id)?;
        out.serialize_field("ReadStatus", t.read_status.name())?;
        out.serialize_field("TimeToReply", &t.time_to_reply)?;
        out.serialize_field("RealTimeToReply", &t.real_time_to_reply)?;
        out.serialize_field("TimeToClose", &t.time_to_close)?;
        out.serialize_field("RealTimeToClose", &t.real_time_to_close)?;
        out.serialize_field("TimeSpentInternally", &t.time_spent_internally)?;
        out.serialize_field("TimeSpentExternally", &t.time_spent_externally)?;
        out.serialize_field("TimeSpentQueue", &t.time_spent_queue)?;
        out.serialize_field("RealTimeSpentInternally", &t.real_time_spent_internally)?;
        out.serialize_field("RealTimeSpentExternally", &t.real_time_spent_externally)?;
        out.serialize_field("RealTimeSpentQueue", &t.real_time_spent_queue)?;
        out.serialize_field("TimeSpent", &t.time_spent)?;
        out.serialize_field("HasAttachment", &t.has_attachment)?;
        out.serialize_field("NumReplies", &t.num_replies)?;
        out.serialize_field("NumMessages", &t.num_messages)?;
        out.serialize_field("FromAddress", &t.from_address)?;
        out.serialize_field("ContactId", &t.contact_id)?;
        out.serialize_field("ContactName", &t.contact_name)?;
        out.serialize_field("OwnedByAssociateId", &t.owned_by_associate_id)?;
        out.serialize_field("Language", &t.language)?;
        out.serialize_field("Sentiment", &t.sentiment)?;
        out.serialize_field("SentimentConfidence", &t.sentiment_confidence)?;
        out.serialize_field("SaleId", &t.sale_id)?;
        out.serialize_field("ProjectId", &t.project_id)?;
        out.serialize_field("SaleHeading", &t.sale_heading)?;
        out.serialize_field("ProjectName", &t.project_name)?;
        out.serialize_field("FormSubmissionId", &t.form_submission_id)?;
        out.serialize_field("TicketTypeId", &t.ticket_type_id)?;
        out.serialize_field("TicketTypeName", &locale.label(&t.ticket_type_name))?;
        out.serialize_field("TableRight", &FULL)?;
        out.serialize_field("FieldProperties", &NO_FIELDS)?;
        out.end()
    }
}

/// The response form of a `Associate` carrier.
pub(super) struct AssociateOut<'a>(pub &'a Associate);

impl Serialize for AssociateOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let a = self.0;
        let mut out = serializer.serialize_struct("Associate", 16)?;
        out.serialize_field("AssociateId", &a.associate_id)?;
        out.serialize_field("Name", &a.name)?;
        out.serialize_field("PersonId", &a.person_id)?;
        out.serialize_field("Rank", &a.rank)?;
        out.serialize_field("Tooltip", &a.tooltip)?;
        out.serialize_field("Type", a.user_type.name())?;
        out.serialize_field("GroupIdx", &a.group_idx)?;
        out.serialize_field("FullName", &a.full_name)?;
        out.serialize_field("FormalName", &a.formal_name)?;
        out.serialize_field("Deleted", &a.deleted)?;
        out.serialize_field("EjUserId", &a.ej_user_id)?;
        out.serialize_field("UserName", &a.user_name)?;
        out.serialize_field("ExtraFields", &Dictionary(&FieldMap::new()))?;
        out.serialize_field("CustomFields", &Dictionary(&FieldMap::new()))?;
        out.serialize_field("TableRight", &FULL)?;
        out.serialize_field("FieldProperties", &NO_FIELDS)?;
        out.end()
    }
}

/// The response form of a `Person` carrier.
pub(super) struct PersonOut<'a>(pub &'a Person, pub &'a Locale);

impl Serialize for PersonOut<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let (p, locale) = (self.0, self.1);
        let mut out = serializer.serialize_struct("Person", 43)?;
        out.serialize_field("Position", &p.position)?;
        out.serialize_field("PersonId", &p.person_id)?;
        out.serialize_field("Mrmrs", &p.mrmrs)?;
        out.serialize_field("Firstname", &p.firstname)?;
        out.serialize_field("Lastname", &p.lastname)?;
        out.serialize_field("MiddleName", &p.middle_name)?;
        out.serialize_field("Title", &p.title)?;
        out.serialize_field("Description", &p.description)?;
        out.serialize_field("Email", &p.email)?;
        out.serialize_field("FullName", &p.full_name)?;
        out.serialize_field("DirectPhone", &p.direct_phone)?;
        out.serialize_field("FormalName", &p.formal_name)?;
        out.serialize_field("CountryId", &p.country_id)?;
        out.serialize_field("ContactId", &p.contact_id)?;
        out.serialize_field("ContactName", &p.contact_name)?;
        out.serialize_field("Retired", &p.retired)?;
        out.serialize_field("Rank", &p.rank)?;
        out.serialize_field("ActiveInterests", &p.active_interests)?;
        out.serialize_field("ContactDepartment", &p.contact_department)?;
        out.serialize_field("ContactCountryId", &p.contact_country_id)?;
        out.serialize_field("ContactOrgNr", &p.contact_org_nr)?;
        out.serialize_field("FaxPhone", &p.fax_phone)?;
        out.serialize_field("MobilePhone", &p.mobile_phone)?;
        out.serialize_field("ContactPhone", &p.contact_phone)?;
        out.serialize_field("AssociateName", &p.associate_name)?;
        out.serialize_field("AssociateId", &p.associate_id)?;
        out.serialize_field("UsePersonAddress", &p.use_person_address)?;
        out.serialize_field("ContactFax", &p.contact_fax)?;
        out.serialize_field("Kanafname", &p.kanafname)?;
        out.serialize_field("Kanalname", &p.kanalname)?;
        out.serialize_field("Post1", &p.post1)?;
        out.serialize_field("Post2", &p.post2)?;
        out.serialize_field("Post3", &p.post3)?;
        out.serialize_field("EmailName", &p.email_name)?;
        out.serialize_field("ContactFullName", &p.contact_full_name)?;
        out.serialize_field("ActiveErpLinks", &p.active_erp_links)?;
        out.serialize_field("TicketPriorityId", &p.ticket_priority_id)?;
        out.serialize_field("SupportLanguageId", &p.support_language_id)?;
        out.serialize_field("SupportAssociateId", &p.support_associate_id)?;
        out.serialize_field("CategoryName", &locale.label(&p.category_name))?;
        out.serialize_field("PersonNumber", &p.person_number)?;
        out.serialize_field("TableRight", &FULL)?;
        out.serialize_field("FieldProperties", &NO_FIELDS)?;
        out.end()
    }
}
